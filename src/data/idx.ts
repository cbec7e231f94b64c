// IDX files (the MNIST format): a big-endian header, then unsigned bytes.
// images: magic 2051, count, rows, cols, then count*rows*cols pixels.
// labels: magic 2049, count, then count labels.

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;
/** Larger than any MNIST-like set; a header claiming more is corrupt, not big. */
const MAX_ITEMS = 10_000_000;
const MAX_SIDE = 1024;

export class IdxError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'IdxError';
  }
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count*rows*cols bytes, 0 = background, 255 = ink; a view into the file's bytes. */
  pixels: Uint8Array;
}

function header(bytes: Uint8Array, file: string, length: number): DataView {
  if (bytes.byteLength < length) {
    throw new IdxError(file, `is ${bytes.byteLength} bytes, shorter than the ${length}-byte IDX header`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, length);
}

function checkMagic(view: DataView, file: string, expected: number, kind: string): void {
  const magic = view.getUint32(0, false);
  if (magic !== expected) {
    throw new IdxError(file, `magic number is ${magic}, expected ${expected} for IDX ${kind}`);
  }
}

function checkLength(bytes: Uint8Array, file: string, expected: number): void {
  if (bytes.byteLength < expected) {
    throw new IdxError(file, `is truncated: ${bytes.byteLength} bytes, the header needs ${expected}`);
  }
  if (bytes.byteLength > expected) {
    throw new IdxError(file, `has ${bytes.byteLength - expected} bytes after the data the header describes`);
  }
}

export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const view = header(bytes, file, IMAGES_HEADER_BYTES);
  checkMagic(view, file, IDX_IMAGES_MAGIC, 'images');
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  if (count > MAX_ITEMS) throw new IdxError(file, `claims ${count} images, more than ${MAX_ITEMS}`);
  if (rows === 0 || cols === 0 || rows > MAX_SIDE || cols > MAX_SIDE) {
    throw new IdxError(file, `claims ${rows}×${cols} images; each side must be 1 to ${MAX_SIDE}`);
  }
  const size = count * rows * cols;
  checkLength(bytes, file, IMAGES_HEADER_BYTES + size);
  return { count, rows, cols, pixels: bytes.subarray(IMAGES_HEADER_BYTES) };
}

export function parseIdxLabels(bytes: Uint8Array, file: string, classes = 10): Uint8Array {
  const view = header(bytes, file, LABELS_HEADER_BYTES);
  checkMagic(view, file, IDX_LABELS_MAGIC, 'labels');
  const count = view.getUint32(4, false);
  if (count > MAX_ITEMS) throw new IdxError(file, `claims ${count} labels, more than ${MAX_ITEMS}`);
  checkLength(bytes, file, LABELS_HEADER_BYTES + count);
  const labels = bytes.subarray(LABELS_HEADER_BYTES);
  const bad = labels.findIndex((label) => label >= classes);
  if (bad >= 0) throw new IdxError(file, `label #${bad} is ${labels[bad]}, outside 0–${classes - 1}`);
  return labels;
}

/** Bytes 0–255 into one Float32Array scaled to 0–1 (Keras: x / 255). */
export function toUnitFloats(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}
