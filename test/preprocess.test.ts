import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { embeddedDir } from '../src/data/mnist';
import { parseIdxImages } from '../src/data/idx';
import { BlankImageError, toMnistInput, type RawImage } from '../src/shared/preprocess';
import { mnistImage, paintStyle } from './helpers/digits';

let pixels: Uint8Array;
before(async () => {
  pixels = parseIdxImages(new Uint8Array(await readFile(join(embeddedDir(), 't10k-images-idx3-ubyte'))), 't10k').pixels;
});

function centerOfMass(input: Float32Array): { x: number; y: number } {
  let m = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < 784; i++) {
    m += input[i];
    x += input[i] * ((i % 28) + 0.5);
    y += input[i] * (Math.floor(i / 28) + 0.5);
  }
  return { x: x / m, y: y / m };
}

function meanAbsDiff(a: Float32Array, pixels: Uint8Array, index: number): number {
  let sum = 0;
  for (let i = 0; i < 784; i++) sum += Math.abs(a[i] - pixels[index * 784 + i] / 255);
  return sum / 784;
}

test('MNIST digits come through close to themselves, centered by mass', () => {
  let worstShift = 0;
  let totalDiff = 0;
  for (let i = 0; i < 100; i++) {
    const { input, inverted } = toMnistInput(mnistImage(pixels, i), `mnist #${i}`);
    assert.equal(inverted, false);
    const c = centerOfMass(input);
    worstShift = Math.max(worstShift, Math.abs(c.x - 14), Math.abs(c.y - 14));
    totalDiff += meanAbsDiff(input, pixels, i);
  }
  assert.ok(worstShift <= 1, `center of mass within 1 px of (14,14): worst ${worstShift}`);
  assert.ok(totalDiff / 100 < 0.08, `mean abs difference from the original ${totalDiff / 100}`);
});

test("a Paint-style digit (280×280, black on white, off-center) comes back close to MNIST's", () => {
  let totalDiff = 0;
  for (let i = 0; i < 20; i++) {
    const image = paintStyle(pixels, i, 280, { x: (i % 5) * 15 - 30, y: (i % 3) * 20 - 20 });
    const { input, inverted, box } = toMnistInput(image, `paint #${i}`);
    assert.equal(inverted, true);
    assert.ok(box.width <= 210 && box.height <= 210, `ink box ${box.width}×${box.height}`);
    totalDiff += meanAbsDiff(input, pixels, i);
  }
  assert.ok(totalDiff / 20 < 0.08, `mean abs difference ${totalDiff / 20}`);
});

test('a drawing on a transparent canvas (ink is alpha) is read as ink', () => {
  const size = 100;
  const data = new Uint8Array(size * size * 4);
  for (let y = 20; y < 80; y++) for (let x = 45; x < 55; x++) data.set([0, 0, 0, 255], (y * size + x) * 4);
  const { input, box } = toMnistInput({ width: size, height: size, channels: 4, data });
  assert.deepEqual(box, { x: 45, y: 20, width: 10, height: 60 });
  // a tall thin "1": 20 px tall, aspect kept (about 3 px wide)
  const rows = new Set<number>();
  const cols = new Set<number>();
  input.forEach((v, i) => {
    if (v > 0.5) {
      rows.add(Math.floor(i / 28));
      cols.add(i % 28);
    }
  });
  assert.equal(rows.size, 20);
  assert.ok(cols.size >= 3 && cols.size <= 4, `width ${cols.size}`);
});

test('blank, empty and malformed images are errors, not guesses', () => {
  const blank = (value: number, channels: 1 | 4 = 1): RawImage => ({ width: 50, height: 50, channels, data: new Uint8Array(50 * 50 * channels).fill(value) });
  assert.throws(() => toMnistInput(blank(255), 'white.png'), (e: Error) => e instanceof BlankImageError && /white\.png: the image is blank/.test(e.message));
  assert.throws(() => toMnistInput(blank(0), 'black.png'), BlankImageError);
  assert.throws(() => toMnistInput(blank(0, 4), 'transparent.png'), BlankImageError);
  const faint = blank(255);
  faint.data[25 * 50 + 25] = 240;
  assert.throws(() => toMnistInput(faint, 'faint.png'), BlankImageError);
  assert.throws(() => toMnistInput({ width: 0, height: 0, channels: 1, data: new Uint8Array(0) }, 'empty.png'), /empty\.png: the image is 0×0/);
  assert.throws(() => toMnistInput({ width: 10, height: 10, channels: 3, data: new Uint8Array(5) }, 'short.png'), /short\.png: 5 bytes of pixels for a 10×10×3 image \(300 expected\)/);
});

test('a tiny dot is a (small) digit, not an error', () => {
  const image: RawImage = { width: 40, height: 40, channels: 1, data: new Uint8Array(1600).fill(255) };
  image.data[10 * 40 + 30] = 0;
  const { input } = toMnistInput(image, 'dot');
  assert.ok(input.reduce((a, b) => a + b, 0) > 0);
  const c = centerOfMass(input);
  assert.ok(Math.abs(c.x - 14) <= 1 && Math.abs(c.y - 14) <= 1);
});
