import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { decodeImage, encodePng, ImageFileError, readImageFile } from '../src/files/images';
import { toMnistInput, type RawImage } from '../src/shared/preprocess';
import { bmpFile, pngFile, type PngSpec } from './helpers/image-files';
import { drawDigit, loadTestDigits, meanAbsDiff } from './helpers/digits';

let pixels: Uint8Array;
before(async () => {
  pixels = await loadTestDigits();
});

// Odd sizes, so BMP rows need padding and low-depth PNG rows end mid-byte.
const W = 5;
const H = 3;
const at = (f: (x: number, y: number) => number[]) => {
  const out: number[][] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out.push(f(x, y));
  return out;
};
/** A distinct color per pixel. */
const rgb = (x: number, y: number) => [40 * x + 10, 100 * y + 5, 250 - 30 * x - 20 * y];
const gray = (x: number, y: number) => 50 * x + 20 * y;

/** All pixels of an image as arrays of `channels` values, row by row. */
function pixelsOf(image: RawImage, channels: number = image.channels): number[][] {
  assert.equal(image.data.length, image.width * image.height * image.channels);
  const out: number[][] = [];
  for (let i = 0; i < image.width * image.height; i++) out.push([...image.data.subarray(i * image.channels, i * image.channels + channels)]);
  return out;
}

function decodesTo(bytes: Uint8Array, name: string, expected: number[][], channels?: number): RawImage {
  const image = decodeImage(bytes, name);
  assert.deepEqual([image.width, image.height], [W, H], name);
  assert.deepEqual(pixelsOf(image, channels), expected, name);
  return image;
}

const png = (spec: Omit<PngSpec, 'width' | 'height'>) => pngFile({ width: W, height: H, ...spec });

test('PNG: gray, gray+alpha, RGB, RGBA at 8 and 16 bits decode to the right RGBA pixels', () => {
  decodesTo(png({ colorType: 0, bitDepth: 8, samples: (x, y) => [gray(x, y)] }), 'gray8.png', at((x, y) => [gray(x, y), gray(x, y), gray(x, y), 255]));
  decodesTo(png({ colorType: 0, bitDepth: 16, samples: (x, y) => [gray(x, y) * 257] }), 'gray16.png', at((x, y) => [gray(x, y), gray(x, y), gray(x, y), 255]));
  decodesTo(png({ colorType: 4, bitDepth: 8, samples: (x, y) => [gray(x, y), 60 * y] }), 'gray-alpha.png', at((x, y) => [gray(x, y), gray(x, y), gray(x, y), 60 * y]));
  decodesTo(png({ colorType: 2, bitDepth: 8, samples: rgb }), 'rgb8.png', at((x, y) => [...rgb(x, y), 255]));
  decodesTo(png({ colorType: 2, bitDepth: 16, samples: (x, y) => rgb(x, y).map((v) => v * 257) }), 'rgb16.png', at((x, y) => [...rgb(x, y), 255]));
  decodesTo(png({ colorType: 6, bitDepth: 8, samples: (x, y) => [...rgb(x, y), 200 - x] }), 'rgba8.png', at((x, y) => [...rgb(x, y), 200 - x]));
  decodesTo(png({ colorType: 6, bitDepth: 16, samples: (x, y) => [...rgb(x, y), 9].map((v) => v * 257) }), 'rgba16.png', at((x, y) => [...rgb(x, y), 9]));
});

test('PNG: 1, 2 and 4-bit gray and palettes (with transparency) decode to the right pixels', () => {
  for (const bitDepth of [1, 2, 4] as const) {
    const levels = 2 ** bitDepth;
    const level = (x: number, y: number) => (x + 3 * y) % levels;
    const expected = at((x, y) => Array(3).fill((level(x, y) * 255) / (levels - 1)).concat(255));
    decodesTo(png({ colorType: 0, bitDepth, samples: (x, y) => [level(x, y)] }), `gray${bitDepth}.png`, expected);
    const palette = Array.from({ length: levels }, (_, i) => [i * 10, 255 - i * 10, 7 * i]);
    const paletteAlpha = palette.map((_, i) => (i === 1 ? 0 : 255));
    decodesTo(
      png({ colorType: 3, bitDepth, samples: (x, y) => [level(x, y)], palette, paletteAlpha }),
      `palette${bitDepth}.png`,
      at((x, y) => [...palette[level(x, y)], paletteAlpha[level(x, y)]]),
    );
  }
  const palette = Array.from({ length: 256 }, (_, i) => [i, 255 - i, (i * 7) % 256]);
  const index = (x: number, y: number) => 17 * x + 61 * y;
  decodesTo(png({ colorType: 3, bitDepth: 8, samples: (x, y) => [index(x, y)], palette }), 'palette8.png', at((x, y) => [...palette[index(x, y)], 255]));
});

test('encodePng keeps every channel layout; decoding gives it back as RGBA', () => {
  const expand = { 1: (p: number[]) => [p[0], p[0], p[0], 255], 2: (p: number[]) => [p[0], p[0], p[0], p[1]], 3: (p: number[]) => [...p, 255], 4: (p: number[]) => p };
  for (const channels of [1, 2, 3, 4] as const) {
    const data = Uint8Array.from({ length: W * H * channels }, (_, i) => (i * 37 + 11) % 256);
    const image: RawImage = { width: W, height: H, channels, data };
    decodesTo(encodePng(image), `encoded-${channels}.png`, pixelsOf(image).map(expand[channels]));
  }
  assert.throws(() => encodePng({ width: 4, height: 4, channels: 3, data: new Uint8Array(47) }), /47 bytes of pixels for a 4×4×3 image/);
});

test('JPEG (jpeg-js baseline) decodes close to the original', () => {
  // 8×8 blocks of one color each, so compression barely touches their centers
  const block = (x: number, y: number) => rgb(x >> 3, y >> 3);
  const data = new Uint8Array(40 * 24 * 4);
  for (let i = 0; i < 40 * 24; i++) data.set([...block(i % 40, Math.floor(i / 40)), 255], i * 4);
  const image = decodeImage(new Uint8Array(jpeg.encode({ width: 40, height: 24, data }, 95).data), 'blocks.jpg');
  assert.deepEqual([image.width, image.height, image.channels], [40, 24, 4]);
  for (let y = 3; y < 24; y += 8) {
    for (let x = 3; x < 40; x += 8) {
      const p = (y * 40 + x) * 4;
      const got = [...image.data.subarray(p, p + 3)];
      block(x, y).forEach((v, c) => assert.ok(Math.abs(got[c] - v) <= 12, `(${x}, ${y}): ${got} vs ${block(x, y)}`));
    }
  }
});

// Written by ImageMagick 6.9 (jpeg-js cannot write these): 16×16 progressive, four 8×8 blocks,
// and 16×8 one-component grayscale, two 8×8 blocks.
const PROGRESSIVE_JPEG =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wgARCAAQABADAREAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAACAIJ/8QAFgEBAQEAAAAAAAAAAAAAAAAABwgA/9oADAMBAAIQAxAAAAGTOV3smVRgXstKSN//xAAUEAEAAAAAAAAAAAAAAAAAAAAg/9oACAEBAAEFAh//xAAUEQEAAAAAAAAAAAAAAAAAAAAg/9oACAEDAQE/AR//xAAUEQEAAAAAAAAAAAAAAAAAAAAg/9oACAECAQE/AR//xAAUEAEAAAAAAAAAAAAAAAAAAAAg/9oACAEBAAY/Ah//xAAUEAEAAAAAAAAAAAAAAAAAAAAg/9oACAEBAAE/IR//2gAMAwEAAgADAAAAEAAP/8QAFBEBAAAAAAAAAAAAAAAAAAAAIP/aAAgBAwEBPxAf/8QAFBEBAAAAAAAAAAAAAAAAAAAAIP/aAAgBAgEBPxAf/8QAFBABAAAAAAAAAAAAAAAAAAAAIP/aAAgBAQABPxAf/9k=';
const GRAY_JPEG =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/wAALCAAIABABAREA/8QAFQABAQAAAAAAAAAAAAAAAAAACQr/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/9oACAEBAAA/ADLVkP/Z';

test('JPEG: progressive and grayscale files decode to their blocks', () => {
  const check = (base64: string, name: string, blocks: number[][][]) => {
    const image = decodeImage(new Uint8Array(Buffer.from(base64, 'base64')), name);
    assert.deepEqual([image.width, image.height], [blocks[0].length * 8, blocks.length * 8], name);
    blocks.forEach((row, by) =>
      row.forEach((color, bx) => {
        const p = ((by * 8 + 4) * image.width + bx * 8 + 4) * image.channels;
        color.forEach((v, c) => assert.ok(Math.abs(image.data[p + c] - v) <= 6, `${name} block (${bx}, ${by}): ${[...image.data.subarray(p, p + 3)]} vs ${color}`));
      }),
    );
  };
  check(PROGRESSIVE_JPEG, 'progressive.jpg', [
    [[10, 200, 60], [250, 250, 250]],
    [[0, 0, 0], [40, 90, 220]],
  ]);
  // ImageMagick's gray20 and gray90
  check(GRAY_JPEG, 'gray.jpg', [[[51, 51, 51], [230, 230, 230]]]);
});

test('BMP: 24-bit bottom-up and top-down, 32-bit plain, bit fields and alpha decode to the right pixels', () => {
  const word = (x: number, y: number) => {
    const [r, g, b] = rgb(x, y);
    return (r << 16) | (g << 8) | b;
  };
  decodesTo(bmpFile({ width: W, height: H, bits: 24, value: word }), 'rgb24.bmp', at(rgb));
  decodesTo(bmpFile({ width: W, height: H, bits: 24, topDown: true, value: word }), 'top-down.bmp', at(rgb));
  decodesTo(bmpFile({ width: W, height: H, bits: 32, value: word }), 'rgb32.bmp', at(rgb));
  // RGBX order through BI_BITFIELDS masks after a 40-byte header
  const masks = [0xff000000, 0x00ff0000, 0x0000ff00];
  decodesTo(bmpFile({ width: W, height: H, bits: 32, compression: 3, masks, value: (x, y) => (word(x, y) << 8) >>> 0 }), 'rgbx.bmp', at(rgb));
  // V5 header with an alpha mask, as image editors save transparency
  const alpha = (x: number, y: number) => (x * 60 + y) & 0xff;
  const v5 = bmpFile({ width: W, height: H, bits: 32, compression: 3, headerSize: 124, masks: [0xff0000, 0xff00, 0xff, 0xff000000], value: (x, y) => (word(x, y) | (alpha(x, y) << 24)) >>> 0 });
  const image = decodesTo(v5, 'alpha.bmp', at((x, y) => [...rgb(x, y), alpha(x, y)]));
  assert.equal(image.channels, 4);
  // an alpha mask over an all-zero channel: the writer meant opaque
  const unused = bmpFile({ width: W, height: H, bits: 32, compression: 3, headerSize: 124, masks: [0xff0000, 0xff00, 0xff, 0xff000000], value: word });
  decodesTo(unused, 'unused-alpha.bmp', at((x, y) => [...rgb(x, y), 255]));
});

test('BMP: 16-bit 5-5-5 and 5-6-5 decode to the right pixels', () => {
  const five = (v: number) => v >> 3;
  const six = (v: number) => v >> 2;
  const widen = (v: number, bits: number) => Math.round((v * 255) / (2 ** bits - 1));
  const rgb555 = (x: number, y: number) => rgb(x, y).map((v) => widen(five(v), 5));
  const value555 = (x: number, y: number) => {
    const [r, g, b] = rgb(x, y);
    return (five(r) << 10) | (five(g) << 5) | five(b);
  };
  decodesTo(bmpFile({ width: W, height: H, bits: 16, value: value555 }), '555.bmp', at(rgb555));
  const rgb565 = (x: number, y: number) => {
    const [r, g, b] = rgb(x, y);
    return [widen(five(r), 5), widen(six(g), 6), widen(five(b), 5)];
  };
  const value565 = (x: number, y: number) => {
    const [r, g, b] = rgb(x, y);
    return (five(r) << 11) | (six(g) << 5) | five(b);
  };
  decodesTo(bmpFile({ width: W, height: H, bits: 16, compression: 3, masks: [0xf800, 0x07e0, 0x001f], value: value565 }), '565.bmp', at(rgb565));
});

test('BMP: 8-bit, 4-bit and 1-bit palettes decode to the right pixels', () => {
  const grays = Array.from({ length: 256 }, (_, i) => [i, i, i]);
  decodesTo(bmpFile({ width: W, height: H, bits: 8, palette: grays, value: gray }), 'gray8.bmp', at((x, y) => Array(3).fill(gray(x, y))));
  // a short palette: indices past its end are black
  const short = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
  decodesTo(bmpFile({ width: W, height: H, bits: 8, palette: short, value: (x) => x }), 'short.bmp', at((x) => short[x] ?? [0, 0, 0]));
  // Paint's 16-color BMP
  const sixteen = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 16, i * 8]);
  const index = (x: number, y: number) => (x + 5 * y) % 16;
  decodesTo(bmpFile({ width: W, height: H, bits: 4, palette: sixteen, value: index }), 'sixteen.bmp', at((x, y) => sixteen[index(x, y)]));
  decodesTo(bmpFile({ width: W, height: H, bits: 4, topDown: true, palette: sixteen, value: index }), 'sixteen-top-down.bmp', at((x, y) => sixteen[index(x, y)]));
  // Paint's monochrome BMP
  const mono = [[0, 0, 0], [255, 255, 255]];
  const bit = (x: number, y: number) => (x + y) % 2;
  decodesTo(bmpFile({ width: W, height: H, bits: 1, palette: mono, value: bit }), 'mono.bmp', at((x, y) => mono[bit(x, y)]));
});

/** decodeImage must refuse `bytes` with an ImageFileError whose message names the file and matches `problem`. */
function refused(bytes: Uint8Array, name: string, problem: RegExp): void {
  assert.throws(
    () => decodeImage(bytes, name),
    (error: Error) => {
      assert.ok(error instanceof ImageFileError, String(error));
      assert.equal(error.file, name);
      assert.ok(error.message.startsWith(`${name}: `), error.message);
      assert.match(error.message, problem);
      return true;
    },
  );
}

test('broken, unknown and absurd files get clear errors naming the file', () => {
  refused(new Uint8Array(0), 'empty.png', /: is empty$/);
  refused(Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 5) % 256), 'noise.png', /is not a PNG, JPEG or BMP image/);
  refused(new Uint8Array(Buffer.from('GIF89a\x05\x00\x03\x00')), 'anim.png', /is a GIF image; Digit Lab opens PNG, JPEG and BMP files/);

  const good = png({ colorType: 2, bitDepth: 8, samples: rgb });
  refused(good.subarray(0, 20), 'stub.png', /is a truncated or damaged PNG: no IHDR header/);
  refused(good.subarray(0, 50), 'cut.png', /is a truncated PNG: it ends inside its IDAT chunk/);
  refused(good.subarray(0, good.length - 12), 'no-end.png', /is a truncated PNG: it ends before its IEND chunk/);
  const damaged = good.slice();
  damaged[45] ^= 0xff;
  refused(damaged, 'damaged.png', /is a damaged PNG \(.+\)/);
  const huge = good.slice();
  new DataView(huge.buffer).setUint32(16, 100000);
  new DataView(huge.buffer).setUint32(20, 100000);
  refused(huge, 'huge.png', /claims 100000×100000 pixels; each side must be 1 to 8192/);

  const photo = new Uint8Array(jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(128) }, 80).data);
  refused(photo.subarray(0, photo.length - 100), 'cut.jpg', /is a truncated or damaged JPEG/);
  refused(photo.subarray(0, 30), 'stub.jpg', /is a truncated or damaged JPEG/);
  const wide = photo.slice();
  const sof = wide.findIndex((b, i) => b === 0xff && wide[i + 1] === 0xc0);
  new DataView(wide.buffer).setUint16(sof + 7, 60000);
  refused(wide, 'wide.jpg', /claims 60000×16 pixels/);

  const bmp = bmpFile({ width: W, height: H, bits: 24, value: () => 0 });
  refused(bmp.subarray(0, 30), 'stub.bmp', /is a truncated BMP: too short for its header/);
  refused(bmp.subarray(0, 70), 'cut.bmp', /is a truncated BMP: 5×3 at 24 bits needs 102 bytes, the file has 70/);
  const giant = bmp.slice();
  new DataView(giant.buffer).setInt32(18, 100000, true);
  new DataView(giant.buffer).setInt32(22, 100000, true);
  refused(giant, 'giant.bmp', /claims 100000×100000 pixels/);
  const palette = Array.from({ length: 256 }, () => [0, 0, 0]);
  refused(bmpFile({ width: W, height: H, bits: 8, palette, value: () => 0 }).subarray(0, 300), 'palette.bmp', /is a truncated BMP: it ends inside its palette/);
  refused(bmpFile({ width: W, height: H, bits: 8, compression: 1, palette, value: () => 0 }), 'rle.bmp', /is a RLE8-compressed BMP, which is not supported; save it as an uncompressed BMP, a PNG or a JPEG/);
  refused(bmpFile({ width: W, height: H, bits: 24, headerSize: 12, value: () => 0 }), 'os2.bmp', /has a 12-byte BMP header; only BITMAPINFOHEADER/);
  const twoBit = bmp.slice();
  new DataView(twoBit.buffer).setUint16(28, 2, true);
  refused(twoBit, 'two.bmp', /uses 2 bits per pixel/);
  const flat = bmp.slice();
  new DataView(flat.buffer).setInt32(22, 0, true);
  refused(flat, 'flat.bmp', /claims 5×0 pixels/);
});

test('readImageFile goes by the bytes, not the name, and names missing files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'digit-lab-images-'));
  try {
    const path = join(dir, 'really-a-bmp.png');
    await writeFile(path, bmpFile({ width: W, height: H, bits: 24, value: (x, y) => gray(x, y) * 0x010101 }));
    const image = await readImageFile(path);
    assert.deepEqual(pixelsOf(image), at((x, y) => Array(3).fill(gray(x, y))));
    await assert.rejects(readImageFile(join(dir, 'missing.png')), (error: Error) => error instanceof ImageFileError && error.message === `${join(dir, 'missing.png')}: no such file`);
    await assert.rejects(readImageFile(dir), new RegExp(`${dir}: is a folder, not an image file`));
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('a Paint digit saved as PNG, BMP (24, 8 and 1-bit) or JPEG reads back as the MNIST digit', () => {
  const formats: Record<string, { save: (image: RawImage) => Uint8Array; bound: number }> = {
    'rgba.png': { save: encodePng, bound: 0.01 },
    'gray.png': { save: (image) => encodePng({ ...image, channels: 1, data: image.data.filter((_, i) => i % 4 === 0) }), bound: 0.01 },
    '24-bit.bmp': { save: (image) => bmpFile({ ...size(image), bits: 24, value: (x, y) => red(image, x, y) * 0x010101 }), bound: 0.01 },
    '256-color.bmp': { save: (image) => bmpFile({ ...size(image), bits: 8, palette: Array.from({ length: 256 }, (_, i) => [i, i, i]), value: (x, y) => red(image, x, y) }), bound: 0.01 },
    'monochrome.bmp': { save: (image) => bmpFile({ ...size(image), bits: 1, palette: [[0, 0, 0], [255, 255, 255]], value: (x, y) => (red(image, x, y) > 127 ? 1 : 0) }), bound: 0.03 },
    'q75.jpg': { save: (image) => new Uint8Array(jpeg.encode({ ...size(image), data: image.data }, 75).data), bound: 0.02 },
  };
  for (const [name, { save, bound }] of Object.entries(formats)) {
    let sum = 0;
    const count = 10;
    for (let i = 0; i < count; i++) {
      const drawing = drawDigit(pixels, i, { offset: { x: 23 - 9 * i, y: 7 * i - 30 } });
      const result = toMnistInput(decodeImage(save(drawing), name), name);
      assert.equal(result.inverted, true, name);
      sum += meanAbsDiff(result.input, pixels, i);
    }
    assert.ok(sum / count < bound, `${name}: mean abs difference ${sum / count}`);
  }
});

function size(image: RawImage): { width: number; height: number } {
  return { width: image.width, height: image.height };
}

function red(image: RawImage, x: number, y: number): number {
  return image.data[(y * image.width + x) * image.channels];
}
