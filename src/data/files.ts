// The four MNIST files and what they must contain: size, SHA-256 and label counts.
import { createHash } from 'node:crypto';

export interface MnistFile {
  name: string;
  /** SHA-256 of the uncompressed bytes */
  sha256: string;
  bytes: number;
}

export const TRAIN_IMAGES: MnistFile = {
  name: 'train-images-idx3-ubyte',
  sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  bytes: 47_040_016,
};
export const TRAIN_LABELS: MnistFile = {
  name: 'train-labels-idx1-ubyte',
  sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  bytes: 60_008,
};
export const TEST_IMAGES: MnistFile = {
  name: 't10k-images-idx3-ubyte',
  sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  bytes: 7_840_016,
};
export const TEST_LABELS: MnistFile = {
  name: 't10k-labels-idx1-ubyte',
  sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  bytes: 10_008,
};
export const MNIST_FILES: readonly MnistFile[] = [TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS];

export const TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
export const TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class ChecksumError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${file}: SHA-256 is ${actual}, expected ${expected}; the file is corrupt or not MNIST`);
    this.name = 'ChecksumError';
  }
}

/** Throws ChecksumError unless the bytes are the file named here, by its SHA-256. */
export function verify(file: MnistFile, bytes: Uint8Array, where: string = file.name): string {
  const actual = sha256(bytes);
  if (actual !== file.sha256) throw new ChecksumError(where, file.sha256, actual);
  return actual;
}
