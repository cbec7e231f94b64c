import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { decodeImage, encodePng, ImageFileError, readImageFile } from '../src/files/images';

const W = 5;
const H = 3;
/** A small RGB test pattern: pixel (x, y) = (40x, 80y, 200). */
function pattern(x: number, y: number): [number, number, number] {
  return [40 * x, 80 * y, 200];
}

function png(colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16): Uint8Array {
  const image = new PNG({ width: W, height: H, colorType, bitDepth, inputColorType: 6, inputHasAlpha: true });
  // pngjs takes 16-bit input as 16-bit samples
  const samples = bitDepth === 16 ? new Uint16Array(W * H * 4) : image.data;
  const scale = bitDepth === 16 ? 257 : 1;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) samples.set([...pattern(x, y), 255].map((v) => v * scale), (y * W + x) * 4);
  if (bitDepth === 16) image.data = Buffer.from(samples.buffer);
  return new Uint8Array(PNG.sync.write(image, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true }));
}

function rgbAt(image: { width: number; channels: number; data: ArrayLike<number> }, x: number, y: number): number[] {
  const p = (y * image.width + x) * image.channels;
  return [image.data[p], image.data[p + 1], image.data[p + 2]];
}

test('PNG: RGB, RGBA, gray and 16-bit decode to the right pixels', () => {
  for (const [colorType, bitDepth] of [[2, 8], [6, 8], [6, 16]] as const) {
    const image = decodeImage(png(colorType, bitDepth), `c${colorType}-${bitDepth}.png`);
    assert.equal(image.width, W);
    assert.equal(image.height, H);
    assert.deepEqual(rgbAt(image, 3, 2), pattern(3, 2), `colorType ${colorType} bitDepth ${bitDepth}`);
  }
  const gray = decodeImage(png(0, 8), 'gray.png');
  const [r, g, b] = rgbAt(gray, 3, 2);
  assert.equal(r, g);
  assert.equal(g, b);
  assert.ok(r > 0 && r < 255);
  const round = decodeImage(encodePng({ width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 200]) }), 'round.png');
  assert.deepEqual(rgbAt(round, 1, 0), [200, 200, 200]);
});

test('JPEG decodes close to the original', () => {
  const data = new Uint8Array(16 * 16 * 4);
  for (let i = 0; i < 256; i++) data.set(i < 128 ? [250, 250, 250, 255] : [10, 10, 10, 255], i * 4);
  const bytes = jpeg.encode({ width: 16, height: 16, data }, 95).data;
  const image = decodeImage(new Uint8Array(bytes), 'digit.jpg');
  assert.equal(image.width, 16);
  assert.ok(Math.abs(rgbAt(image, 3, 2)[0] - 250) < 10);
  assert.ok(Math.abs(rgbAt(image, 3, 13)[0] - 10) < 10);
});

/** A BMP built byte by byte: BITMAPINFOHEADER, palette for ≤ 8 bits, rows padded to 4 bytes. */
function bmp(bits: 1 | 8 | 24 | 32, topDown = false, compression = 0): Uint8Array {
  const paletteSize = bits <= 8 ? (1 << bits) * 4 : 0;
  const stride = Math.ceil((W * bits) / 32) * 4;
  const offset = 14 + 40 + paletteSize;
  const bytes = new Uint8Array(offset + stride * H);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, offset, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, W, true);
  view.setInt32(22, topDown ? -H : H, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bits, true);
  view.setUint32(30, compression, true);
  if (bits <= 8) {
    // palette entry i = gray i (8-bit) or black/white (1-bit), stored B, G, R, 0
    for (let i = 0; i < 1 << bits; i++) {
      const v = bits === 1 ? i * 255 : i;
      bytes.set([v, v, v, 0], 54 + i * 4);
    }
  }
  for (let y = 0; y < H; y++) {
    const row = offset + (topDown ? y : H - 1 - y) * stride;
    for (let x = 0; x < W; x++) {
      const [r, g, b] = pattern(x, y);
      if (bits === 24) bytes.set([b, g, r], row + x * 3);
      else if (bits === 32) bytes.set([b, g, r, 255], row + x * 4);
      else if (bits === 8) bytes[row + x] = r;
      else if (x % 2 === 1) bytes[row] |= 0x80 >> x;
    }
  }
  return bytes;
}

test('BMP: 24-bit, 32-bit, top-down, 8-bit palette and 1-bit decode to the right pixels', () => {
  assert.deepEqual(rgbAt(decodeImage(bmp(24), 'a.bmp'), 3, 2), pattern(3, 2));
  assert.deepEqual(rgbAt(decodeImage(bmp(24, true), 'top-down.bmp'), 3, 2), pattern(3, 2));
  assert.deepEqual(rgbAt(decodeImage(bmp(32), 'b.bmp'), 4, 1), pattern(4, 1));
  assert.deepEqual(rgbAt(decodeImage(bmp(8), 'c.bmp'), 4, 0), [160, 160, 160]);
  const mono = decodeImage(bmp(1), 'd.bmp');
  assert.deepEqual([0, 1, 2, 3, 4].map((x) => rgbAt(mono, x, 1)[0]), [0, 255, 0, 255, 0]);
});

function refused(bytes: Uint8Array, name: string, message: RegExp): void {
  assert.throws(() => decodeImage(bytes, name), (error: Error) => {
    assert.ok(error instanceof ImageFileError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

test('broken, unknown and absurd files get clear errors naming the file', async () => {
  refused(new Uint8Array(0), 'empty.png', /^empty\.png: is empty/);
  refused(Uint8Array.from({ length: 100 }, (_, i) => (i * 37) % 256), 'noise.png', /^noise\.png: is not a PNG, JPEG or BMP image/);
  refused(png(6, 8).subarray(0, 60), 'cut.png', /^cut\.png: cannot be decoded/);
  refused(bmp(24).subarray(0, 70), 'cut.bmp', /^cut\.bmp: is truncated: 5×3 at 24 bits needs \d+ bytes, the file has 70/);
  const huge = bmp(24);
  new DataView(huge.buffer).setInt32(18, 100000, true);
  new DataView(huge.buffer).setInt32(22, 100000, true);
  refused(huge, 'huge.bmp', /^huge\.bmp: claims 100000×100000 pixels/);
  refused(bmp(8, false, 1), 'rle.bmp', /^rle\.bmp: uses BMP compression 1 \(RLE or other\)/);
  await assert.rejects(readImageFile('/nonexistent/digit.png'), /\/nonexistent\/digit\.png: no such file/);
});
