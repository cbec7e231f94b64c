// Image files into pixels: PNG, JPEG and BMP (what Paint saves), told apart by their bytes.
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { RawImage } from '../shared/preprocess';

const MAX_SIDE = 8192;
const MAX_PIXELS = 64 * 2 ** 20;
const MAX_FILE_BYTES = 64 * 2 ** 20;

export class ImageFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ImageFileError';
  }
}

function checkSize(width: number, height: number, name: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    throw new ImageFileError(name, `claims ${width}×${height} pixels; each side must be 1 to ${MAX_SIDE}`);
  }
}

function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

function isBmp(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d;
}

function decodePng(bytes: Uint8Array, name: string): RawImage {
  if (bytes.length >= 24) {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    checkSize(view.getUint32(16), view.getUint32(20), name);
  }
  // pngjs expands palette, gray and 16-bit images to 8-bit RGBA.
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

function decodeJpeg(bytes: Uint8Array, name: string): RawImage {
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
  checkSize(image.width, image.height, name);
  return { width: image.width, height: image.height, channels: 4, data: image.data };
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/** BMP: BITMAPINFOHEADER or later; 1, 4, 8 (palette), 24 and 32 bits; uncompressed or bitfields. */
function decodeBmp(bytes: Uint8Array, name: string): RawImage {
  if (bytes.length < 26) throw new ImageFileError(name, 'is truncated: too short for a BMP header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new ImageFileError(name, `has a ${headerSize}-byte BMP header; only BITMAPINFOHEADER (40) and later are supported`);
  if (bytes.length < 14 + headerSize) throw new ImageFileError(name, 'is truncated inside its BMP header');
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  checkSize(width, height, name);
  if (![1, 4, 8, 24, 32].includes(bits)) throw new ImageFileError(name, `uses ${bits} bits per pixel; 1, 4, 8, 24 and 32 are supported`);
  if (compression !== BI_RGB && !(compression === BI_BITFIELDS && bits === 32)) {
    throw new ImageFileError(name, `uses BMP compression ${compression} (RLE or other); save it uncompressed`);
  }
  const palette: number[][] = [];
  if (bits <= 8) {
    const colors = view.getUint32(46, true) || 1 << bits;
    const start = 14 + headerSize;
    if (start + colors * 4 > bytes.length) throw new ImageFileError(name, 'is truncated inside its palette');
    for (let i = 0; i < colors; i++) palette.push([bytes[start + i * 4 + 2], bytes[start + i * 4 + 1], bytes[start + i * 4]]);
  }
  let masks = { r: 0x00ff0000, g: 0x0000ff00, b: 0x000000ff };
  if (compression === BI_BITFIELDS) {
    // The masks follow a 40-byte header, or sit inside a V4/V5 header at the same place.
    masks = { r: view.getUint32(54, true), g: view.getUint32(58, true), b: view.getUint32(62, true) };
  }
  const channels = [maskShift(masks.r), maskShift(masks.g), maskShift(masks.b)];
  const stride = Math.ceil((width * bits) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) {
    throw new ImageFileError(name, `is truncated: ${width}×${height} at ${bits} bits needs ${dataOffset + stride * height} bytes, the file has ${bytes.length}`);
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (bits <= 8) {
        const bit = x * bits;
        const index = (bytes[row + (bit >> 3)] >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
        const color = palette[index] ?? [0, 0, 0];
        out[o] = color[0];
        out[o + 1] = color[1];
        out[o + 2] = color[2];
      } else if (bits === 24) {
        out[o] = bytes[row + x * 3 + 2];
        out[o + 1] = bytes[row + x * 3 + 1];
        out[o + 2] = bytes[row + x * 3];
      } else {
        const value = view.getUint32(row + x * 4, true);
        channels.forEach(({ shift, max }, c) => {
          out[o + c] = max === 0 ? 0 : Math.round((((value >>> shift) & max) * 255) / max);
        });
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

/** Decodes PNG, JPEG or BMP bytes; anything else, or a broken file, is an ImageFileError naming it. */
export function decodeImage(bytes: Uint8Array, name: string): RawImage {
  if (bytes.length === 0) throw new ImageFileError(name, 'is empty');
  try {
    if (isPng(bytes)) return decodePng(bytes, name);
    if (isJpeg(bytes)) return decodeJpeg(bytes, name);
    if (isBmp(bytes)) return decodeBmp(bytes, name);
  } catch (error) {
    if (error instanceof ImageFileError) throw error;
    throw new ImageFileError(name, `cannot be decoded (${(error as Error).message})`);
  }
  throw new ImageFileError(name, 'is not a PNG, JPEG or BMP image');
}

export async function readImageFile(path: string): Promise<RawImage> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new ImageFileError(path, error.code === 'ENOENT' ? 'no such file' : error.message);
  });
  if (bytes.length > MAX_FILE_BYTES) throw new ImageFileError(path, `is ${bytes.length} bytes, over the ${MAX_FILE_BYTES}-byte limit`);
  return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** A PNG of an image (gray, RGB or RGBA), for saving drawings and building test files. */
export function encodePng(image: RawImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const p = i * image.channels;
    const gray = image.channels < 3;
    png.data[i * 4] = image.data[p];
    png.data[i * 4 + 1] = image.data[gray ? p : p + 1];
    png.data[i * 4 + 2] = image.data[gray ? p : p + 2];
    png.data[i * 4 + 3] = image.channels === 2 || image.channels === 4 ? image.data[p + image.channels - 1] : 255;
  }
  return new Uint8Array(PNG.sync.write(png));
}
