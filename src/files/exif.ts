// A JPEG's EXIF Orientation: phones store the sensor's pixels as they came and say in a tag how
// to turn them upright. Browsers honour it; a decoder that ignores it reads a 7 on its side.
import type { RawImage } from '../shared/preprocess';

const APP1 = 0xe1;
const START_OF_SCAN = 0xda;
const ORIENTATION_TAG = 0x0112;
const SHORT = 3;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

/** The Orientation in the JPEG's EXIF (1 to 8), or 1 when it has none or it cannot be read. */
export function jpegOrientation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) return 1;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === START_OF_SCAN) return 1;
    const length = view.getUint16(at + 2);
    if (marker === APP1 && EXIF_HEADER.every((b, i) => bytes[at + 4 + i] === b)) {
      return tiffOrientation(view, at + 4 + EXIF_HEADER.length, Math.min(bytes.length, at + 2 + length));
    }
    at += 2 + length;
  }
  return 1;
}

/** Reads IFD0's Orientation from the TIFF structure in [start, end); anything malformed is 1. */
function tiffOrientation(view: DataView, start: number, end: number): number {
  if (start + 8 > end) return 1;
  const order = view.getUint16(start);
  if (order !== 0x4949 && order !== 0x4d4d) return 1;
  const little = order === 0x4949;
  if (view.getUint16(start + 2, little) !== 42) return 1;
  const ifd = start + view.getUint32(start + 4, little);
  if (ifd + 2 > end) return 1;
  const entries = view.getUint16(ifd, little);
  for (let i = 0, entry = ifd + 2; i < entries && entry + 12 <= end; i++, entry += 12) {
    if (view.getUint16(entry, little) !== ORIENTATION_TAG) continue;
    if (view.getUint16(entry + 2, little) !== SHORT) return 1;
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

/**
 * The image as it is meant to be seen: for each Orientation, the stored pixel (sx, sy) shown at
 * displayed (x, y). 5 to 8 swap width and height.
 */
export function orient(image: RawImage, orientation: number): RawImage {
  if (orientation === 1) return image;
  const { width: w, height: h, channels, data } = image;
  const swap = orientation >= 5;
  const width = swap ? h : w;
  const height = swap ? w : h;
  const source: (x: number, y: number) => [number, number] = {
    2: (x: number, y: number) => [w - 1 - x, y],
    3: (x: number, y: number) => [w - 1 - x, h - 1 - y],
    4: (x: number, y: number) => [x, h - 1 - y],
    5: (x: number, y: number) => [y, x],
    6: (x: number, y: number) => [y, h - 1 - x],
    7: (x: number, y: number) => [w - 1 - y, h - 1 - x],
    8: (x: number, y: number) => [w - 1 - y, x],
  }[orientation] as (x: number, y: number) => [number, number];
  const out = new Uint8Array(data.length);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += channels) {
      const [sx, sy] = source(x, y);
      const p = (sy * w + sx) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = data[p + c];
    }
  }
  return { width, height, channels, data: out };
}
