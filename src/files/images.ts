// Image files into pixels: PNG, JPEG and BMP (what Paint saves), told apart by their bytes,
// not their names. A broken or unsupported file is an ImageFileError that names it.
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { RawImage } from '../shared/preprocess';
import { jpegOrientation, orient } from './exif';

const MAX_SIDE = 8192;
/** The pixel budget, checked against the header before decoding: a 16 MP image decodes in well under 500 MB. */
const MAX_PIXELS = 16 * 2 ** 20;
const MAX_FILE_BYTES = 64 * 2 ** 20;

export class ImageFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ImageFileError';
  }
}

/** `bytesPerSample` 2 (16-bit PNG) halves the budget: such a file decodes through twice the memory. */
function checkSize(width: number, height: number, name: string, bytesPerSample = 1): void {
  const sane = Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1;
  const budget = MAX_PIXELS / bytesPerSample;
  if (!sane || width > MAX_SIDE || height > MAX_SIDE || width * height > budget) {
    const depth = bytesPerSample > 1 ? ` at ${8 * bytesPerSample} bits per sample` : '';
    throw new ImageFileError(name, `claims ${width}×${height} pixels${depth}; each side must be 1 to ${MAX_SIDE}, at most ${budget / 2 ** 20} megapixels in all`);
  }
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
const BMP_SIGNATURE = ascii('BM');
/** Formats people may try, named in the error instead of "unknown". */
const OTHER_FORMATS: [string, number[], number][] = [
  ['GIF', ascii('GIF8'), 0],
  ['WebP', ascii('WEBP'), 8],
  ['TIFF', [0x49, 0x49, 0x2a, 0x00], 0],
  ['TIFF', [0x4d, 0x4d, 0x00, 0x2a], 0],
  ['HEIF/AVIF', ascii('ftyp'), 4],
];

// ---- PNG ----------------------------------------------------------------------------------

/** The signature and the IHDR chunk, which holds the size. */
const PNG_HEADER_BYTES = 33;
/** Length, type and CRC around each chunk's data. */
const CHUNK_OVERHEAD = 12;

/** Walks the chunks so a cut-off file gets a plain answer (pngjs only says its stream ended). */
function checkPngChunks(bytes: Uint8Array, name: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkType = (at: number) => String.fromCharCode(...bytes.subarray(at + 4, at + 8));
  if (bytes.length < PNG_HEADER_BYTES || chunkType(PNG_SIGNATURE.length) !== 'IHDR') {
    throw new ImageFileError(name, 'is a truncated or damaged PNG: no IHDR header');
  }
  checkSize(view.getUint32(16), view.getUint32(20), name, bytes[24] === 16 ? 2 : 1);
  for (let at = PNG_SIGNATURE.length; ; ) {
    if (at + CHUNK_OVERHEAD > bytes.length) throw new ImageFileError(name, 'is a truncated PNG: it ends before its IEND chunk');
    const type = chunkType(at);
    const end = at + CHUNK_OVERHEAD + view.getUint32(at);
    if (end > bytes.length) throw new ImageFileError(name, `is a truncated PNG: it ends inside its ${type} chunk`);
    if (type === 'IEND') return;
    at = end;
  }
}

function decodePng(bytes: Uint8Array, name: string): RawImage {
  checkPngChunks(bytes, name);
  let png: PNG;
  try {
    // pngjs expands palette, gray, low and 16-bit depths and transparency to 8-bit RGBA.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new ImageFileError(name, `is a damaged PNG (${(error as Error).message})`);
  }
  return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

// ---- JPEG ---------------------------------------------------------------------------------

/** Start-of-frame markers (C0–CF) that are not DHT, JPG or DAC; they carry the size. */
const isFrameMarker = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
const START_OF_SCAN = 0xda;
/** TEM and the restart markers stand alone, with no length after them. */
const isStandalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd7);

/** The size in the frame header, read before decoding so a huge image is refused cheaply. */
function jpegSize(bytes: Uint8Array, name: string): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) throw new ImageFileError(name, `is a damaged JPEG: no marker at byte ${at}`);
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === START_OF_SCAN) break;
    if (isStandalone(marker)) {
      at += 2;
      continue;
    }
    const length = view.getUint16(at + 2);
    if (isFrameMarker(marker)) {
      if (at + 9 > bytes.length) break;
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + length;
  }
  throw new ImageFileError(name, 'is a truncated or damaged JPEG: no frame header');
}

function decodeJpeg(bytes: Uint8Array, name: string): RawImage {
  const { width, height } = jpegSize(bytes, name);
  checkSize(width, height, name);
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6 });
  } catch (error) {
    throw new ImageFileError(name, `is a truncated or damaged JPEG (${(error as Error).message})`);
  }
  return orient({ width: image.width, height: image.height, channels: 4, data: image.data }, jpegOrientation(bytes));
}

// ---- BMP ----------------------------------------------------------------------------------

const BMP_FILE_HEADER = 14;
const BITMAPINFOHEADER = 40;
/** V3 and later headers hold an alpha mask. */
const HEADER_WITH_ALPHA_MASK = 56;
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'JPEG', 5: 'PNG' };
const DEFAULT_MASKS: Record<number, [number, number, number]> = {
  16: [0x7c00, 0x03e0, 0x001f],
  32: [0x00ff0000, 0x0000ff00, 0x000000ff],
};

interface Channel {
  mask: number;
  shift: number;
  max: number;
}

function channel(mask: number): Channel {
  const shift = mask === 0 ? 0 : 31 - Math.clz32(mask & -mask);
  return { mask, shift, max: mask >>> shift };
}

function fromMask(value: number, { mask, shift, max }: Channel): number {
  return max === 0 ? 0 : Math.round((((value & mask) >>> shift) * 255) / max);
}

interface BmpLayout {
  width: number;
  height: number;
  bits: number;
  topDown: boolean;
  dataOffset: number;
  stride: number;
  /** RGB triples, for 1, 4 and 8 bits */
  palette: Uint8Array;
  /** R, G, B and alpha, for 16 and 32 bits */
  masks: Channel[];
}

function bmpLayout(bytes: Uint8Array, name: string): BmpLayout {
  if (bytes.length < BMP_FILE_HEADER + BITMAPINFOHEADER) throw new ImageFileError(name, 'is a truncated BMP: too short for its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < BITMAPINFOHEADER) throw new ImageFileError(name, `has a ${headerSize}-byte BMP header; only BITMAPINFOHEADER (40 bytes) and later are supported`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  checkSize(width, height, name);
  if (compression in COMPRESSION_NAMES) {
    throw new ImageFileError(name, `is a ${COMPRESSION_NAMES[compression]}-compressed BMP, which is not supported; save it as an uncompressed BMP, a PNG or a JPEG`);
  }
  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (compression !== BI_RGB && !bitfields) throw new ImageFileError(name, `uses unknown BMP compression ${compression}`);
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw new ImageFileError(name, `uses ${bits} bits per pixel; BMPs of 1, 4, 8, 16, 24 and 32 bits are supported`);
  if (bitfields && bits !== 16 && bits !== 32) throw new ImageFileError(name, `uses bit-field masks with ${bits} bits per pixel; only 16 and 32 bits can`);

  const headerEnd = BMP_FILE_HEADER + headerSize;
  let palette = new Uint8Array(0);
  if (bits <= 8) {
    const colors = Math.min(view.getUint32(46, true) || 1 << bits, 1 << bits);
    if (headerEnd + colors * 4 > bytes.length) throw new ImageFileError(name, 'is a truncated BMP: it ends inside its palette');
    palette = new Uint8Array(colors * 3);
    for (let i = 0; i < colors; i++) palette.set([bytes[headerEnd + i * 4 + 2], bytes[headerEnd + i * 4 + 1], bytes[headerEnd + i * 4]], i * 3);
  }
  let masks: Channel[] = [];
  if (bits === 16 || bits === 32) {
    // The masks follow a 40-byte header, or sit at the same place inside a later header.
    const maskCount = compression === BI_ALPHABITFIELDS || (bitfields && headerSize >= HEADER_WITH_ALPHA_MASK) ? 4 : 3;
    if (bitfields && BMP_FILE_HEADER + BITMAPINFOHEADER + maskCount * 4 > bytes.length) throw new ImageFileError(name, 'is a truncated BMP: it ends inside its color masks');
    const read = (i: number) => view.getUint32(BMP_FILE_HEADER + BITMAPINFOHEADER + i * 4, true);
    const rgb = bitfields ? [read(0), read(1), read(2)] : DEFAULT_MASKS[bits];
    masks = [...rgb, maskCount === 4 ? read(3) : 0].map(channel);
  }
  const stride = Math.floor((width * bits + 31) / 32) * 4;
  const needed = dataOffset + stride * height;
  if (needed > bytes.length) {
    throw new ImageFileError(name, `is a truncated BMP: ${width}×${height} at ${bits} bits needs ${needed} bytes, the file has ${bytes.length}`);
  }
  return { width, height, bits, topDown: rawHeight < 0, dataOffset, stride, palette, masks };
}

function decodeIndexedRow(bytes: Uint8Array, row: number, layout: BmpLayout, out: Uint8Array, o: number): void {
  const { bits, palette, width } = layout;
  const colors = palette.length / 3;
  const ones = (1 << bits) - 1;
  for (let x = 0; x < width; x++, o += 3) {
    const bit = x * bits;
    const index = (bytes[row + (bit >> 3)] >> (8 - bits - (bit & 7))) & ones;
    // an index past the palette's end is black
    if (index < colors) {
      out[o] = palette[index * 3];
      out[o + 1] = palette[index * 3 + 1];
      out[o + 2] = palette[index * 3 + 2];
    }
  }
}

function decodeMaskedRow(view: DataView, row: number, layout: BmpLayout, out: Uint8Array, o: number, channels: number): void {
  const [r, g, b, a] = layout.masks;
  const bytesPerPixel = layout.bits / 8;
  for (let x = 0, at = row; x < layout.width; x++, at += bytesPerPixel, o += channels) {
    const value = bytesPerPixel === 4 ? view.getUint32(at, true) : view.getUint16(at, true);
    out[o] = fromMask(value, r);
    out[o + 1] = fromMask(value, g);
    out[o + 2] = fromMask(value, b);
    if (channels === 4) out[o + 3] = fromMask(value, a);
  }
}

/** An alpha mask over an all-zero channel means the writer did not use alpha. */
function opaqueIfAlphaUnused(rgba: Uint8Array): void {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) return;
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
}

/** BMP: BITMAPINFOHEADER or later; 1, 4, 8 (palette), 16, 24 and 32 bits; uncompressed or bit fields. */
function decodeBmp(bytes: Uint8Array, name: string): RawImage {
  const layout = bmpLayout(bytes, name);
  const { width, height, topDown, dataOffset, stride, bits } = layout;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const channels = layout.masks[3]?.max ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    const o = y * width * channels;
    if (bits <= 8) {
      decodeIndexedRow(bytes, row, layout, out, o);
    } else if (bits === 24) {
      for (let x = 0, at = row, p = o; x < width; x++, at += 3, p += 3) {
        out[p] = bytes[at + 2];
        out[p + 1] = bytes[at + 1];
        out[p + 2] = bytes[at];
      }
    } else {
      decodeMaskedRow(view, row, layout, out, o, channels);
    }
  }
  if (channels === 4) opaqueIfAlphaUnused(out);
  return { width, height, channels, data: out };
}

// ---- entry points -------------------------------------------------------------------------

/** Decodes PNG, JPEG or BMP bytes; anything else, or a broken file, is an ImageFileError naming it. */
export function decodeImage(bytes: Uint8Array, name: string): RawImage {
  if (bytes.length === 0) throw new ImageFileError(name, 'is empty');
  try {
    if (startsWith(bytes, PNG_SIGNATURE)) return decodePng(bytes, name);
    if (startsWith(bytes, JPEG_SIGNATURE)) return decodeJpeg(bytes, name);
    if (startsWith(bytes, BMP_SIGNATURE)) return decodeBmp(bytes, name);
  } catch (error) {
    if (error instanceof ImageFileError) throw error;
    throw new ImageFileError(name, `cannot be decoded: ${(error as Error).message}`);
  }
  const other = OTHER_FORMATS.find(([, signature, at]) => startsWith(bytes, signature, at));
  if (other) throw new ImageFileError(name, `is a ${other[0]} image; Digit Lab opens PNG, JPEG and BMP files`);
  throw new ImageFileError(name, 'is not a PNG, JPEG or BMP image');
}

export async function readImageFile(path: string): Promise<RawImage> {
  const fail = (error: NodeJS.ErrnoException): never => {
    const problems: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a folder, not an image file', EACCES: 'permission denied' };
    throw new ImageFileError(path, problems[error.code ?? ''] ?? error.message);
  };
  // A device or FIFO would never end (/dev/zero) or block the open itself (a FIFO): checked before opening,
  // and again on what was opened, non-blocking, in case the path changed in between.
  const regular = (info: { isFile(): boolean; isDirectory(): boolean }) => {
    if (info.isDirectory()) throw new ImageFileError(path, 'is a folder, not an image file');
    if (!info.isFile()) throw new ImageFileError(path, 'is not a regular file (a device, FIFO or socket); give an image file');
  };
  regular(await stat(path).catch(fail));
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(fail);
  try {
    const info = await file.stat();
    regular(info);
    const { size } = info;
    if (size > MAX_FILE_BYTES) throw new ImageFileError(path, `is ${size} bytes, more than the ${MAX_FILE_BYTES / 2 ** 20} MB an image may be`);
    const bytes = await file.readFile().catch(fail);
    return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  } finally {
    await file.close();
  }
}

/** PNG color types by channel count: gray, gray+alpha, RGB, RGBA. */
const PNG_COLOR_TYPES = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** A PNG of an image, in its own channel layout, for saving drawings and building test files. */
export function encodePng(image: RawImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new Error(`encodePng: ${data.length} bytes of pixels for a ${width}×${height}×${channels} image`);
  }
  const colorType = PNG_COLOR_TYPES[channels];
  const options = { width, height, colorType, inputColorType: colorType, inputHasAlpha: channels === 2 || channels === 4, bitDepth: 8 as const };
  const png = new PNG(options);
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(PNG.sync.write(png, options));
}
