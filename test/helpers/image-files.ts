// PNG and BMP files built byte by byte, so the decoders meet layouts no encoder at hand writes
// (palette and low-depth PNGs, every BMP flavour).
import { crc32, deflateSync } from 'node:zlib';

// ---- PNG ----------------------------------------------------------------------------------

export interface PngSpec {
  width: number;
  height: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA */
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** the samples of pixel (x, y), at the bit depth (palette: the index) */
  samples: (x: number, y: number) => number[];
  /** RGB triples, for color type 3 */
  palette?: number[][];
  /** alpha per palette entry (tRNS) */
  paletteAlpha?: number[];
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Scanlines with filter 0, samples packed most significant bit first (16-bit big-endian). */
function scanlines({ width, height, bitDepth, samples }: PngSpec): Uint8Array {
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0);
    let byte = 0;
    let used = 0;
    for (let x = 0; x < width; x++) {
      for (const sample of samples(x, y)) {
        if (bitDepth === 16) rows.push(sample >> 8, sample & 0xff);
        else if (bitDepth === 8) rows.push(sample);
        else {
          byte |= sample << (8 - bitDepth - used);
          used += bitDepth;
          if (used === 8) {
            rows.push(byte);
            byte = used = 0;
          }
        }
      }
    }
    if (used > 0) rows.push(byte);
  }
  return Uint8Array.from(rows);
}

export function pngFile(spec: PngSpec): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, spec.width);
  view.setUint32(4, spec.height);
  header.set([spec.bitDepth, spec.colorType, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header)];
  if (spec.palette) parts.push(chunk('PLTE', Uint8Array.from(spec.palette.flat())));
  if (spec.paletteAlpha) parts.push(chunk('tRNS', Uint8Array.from(spec.paletteAlpha)));
  parts.push(chunk('IDAT', deflateSync(scanlines(spec))), chunk('IEND', new Uint8Array(0)));
  return new Uint8Array(Buffer.concat(parts));
}

// ---- BMP ----------------------------------------------------------------------------------

export interface BmpSpec {
  width: number;
  height: number;
  bits: 1 | 4 | 8 | 16 | 24 | 32;
  /** rows stored top row first (negative height) */
  topDown?: boolean;
  /** 0 BI_RGB, 1 RLE8, 3 BI_BITFIELDS... */
  compression?: number;
  /** 40 (BITMAPINFOHEADER), 108 (V4), 124 (V5); 12 is the old core header */
  headerSize?: number;
  palette?: number[][];
  /** R, G, B (and A) masks for BI_BITFIELDS */
  masks?: number[];
  /** the stored value of pixel (x, y): a palette index, or the 16/24/32-bit little-endian word */
  value: (x: number, y: number) => number;
}

export function bmpFile(spec: BmpSpec): Uint8Array {
  const { width, height, bits, topDown = false, compression = 0, headerSize = 40, palette = [], masks } = spec;
  // With a 40-byte header the masks follow it; later headers hold them.
  const masksAfterHeader = masks && headerSize === 40 ? masks.length * 4 : 0;
  const offset = 14 + headerSize + masksAfterHeader + palette.length * 4;
  const stride = Math.ceil((width * bits) / 32) * 4;
  const bytes = new Uint8Array(offset + stride * height);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, offset, true);
  view.setUint32(14, headerSize, true);
  view.setInt32(18, width, true);
  view.setInt32(22, topDown ? -height : height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bits, true);
  view.setUint32(30, compression, true);
  view.setUint32(34, stride * height, true);
  view.setUint32(46, palette.length, true);
  masks?.forEach((mask, i) => view.setUint32(54 + i * 4, mask, true));
  palette.forEach(([r, g, b], i) => bytes.set([b, g, r, 0], 14 + headerSize + masksAfterHeader + i * 4));
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const value = spec.value(x, y);
      if (bits >= 8) {
        for (let k = 0; k < bits / 8; k++) bytes[row + (x * bits) / 8 + k] = (value >>> (8 * k)) & 0xff;
      } else {
        const bit = x * bits;
        bytes[row + (bit >> 3)] |= value << (8 - bits - (bit & 7));
      }
    }
  }
  return bytes;
}
