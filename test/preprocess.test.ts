import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BlankImageError, MNIST_SIDE, TooFaintError, toMnistInput, type Preprocessed, type RawImage } from '../src/shared/preprocess';
import { shrinkFactor, shrinkImage } from '../src/shared/raw-image';
import { centerOfMass, digitAt, drawDigit, loadTestDigits, meanAbsDiff, mnistImage } from './helpers/digits';

const DIGITS = 100;
let pixels: Uint8Array;
before(async () => {
  pixels = await loadTestDigits();
});

/** Max per-pixel difference from MNIST digit `index`. */
function maxAbsDiff(input: Float32Array, index: number): number {
  const digit = digitAt(pixels, index);
  return input.reduce((worst, v, i) => Math.max(worst, Math.abs(v - digit[i] / 255)), 0);
}

function assertCentered(input: Float32Array, label: string): void {
  const c = centerOfMass(input);
  assert.ok(Math.abs(c.x - 14) <= 0.5 + 1e-6 && Math.abs(c.y - 14) <= 0.5 + 1e-6, `${label}: center of mass (${c.x}, ${c.y})`);
}

/** Runs the first DIGITS test digits through `draw` and the preprocessing; returns mean and worst difference. */
function roundTrip(draw: (index: number) => RawImage, check?: (result: Preprocessed, index: number) => void): { mean: number; worst: number } {
  let sum = 0;
  let worst = 0;
  for (let i = 0; i < DIGITS; i++) {
    const result = toMnistInput(draw(i), `digit #${i}`);
    assert.equal(result.input.length, MNIST_SIDE * MNIST_SIDE);
    assertCentered(result.input, `digit #${i}`);
    check?.(result, i);
    const diff = meanAbsDiff(result.input, pixels, i);
    sum += diff;
    worst = Math.max(worst, diff);
  }
  return { mean: sum / DIGITS, worst };
}

const offCenter = (i: number) => ({ x: (i % 5) * 15 - 30, y: (i % 3) * 20 - 20 });

test('an MNIST digit comes through as itself: 20×20 box and center of mass are already MNIST’s', () => {
  let exact = 0;
  const { mean } = roundTrip(
    (i) => mnistImage(pixels, i),
    (result, i) => {
      assert.equal(result.inverted, false);
      // up to 5/255 off: the faintest fringe is under the noise floor
      if (maxAbsDiff(result.input, i) < 0.025) exact++;
    },
  );
  assert.ok(exact >= 98, `${exact} of ${DIGITS} reproduced pixel for pixel`);
  assert.ok(mean < 0.002, `mean abs difference ${mean}`);
});

test('a Paint digit (280×280, black on white, off-center) comes back as the MNIST digit', () => {
  // blown up 10× pixel for pixel: area averaging undoes it, whatever the offset (most digits
  // exactly; where MNIST's faintest fringe is left out of the box, the scale is a few % off)
  const crisp = roundTrip(
    (i) => drawDigit(pixels, i, { offset: offCenter(i) }),
    (result, i) => {
      assert.equal(result.inverted, true);
      const o = offCenter(i);
      assert.ok(result.box.x >= o.x && result.box.y >= o.y && result.box.width <= 200 && result.box.height <= 200, JSON.stringify(result.box));
    },
  );
  assert.ok(crisp.mean < 0.01, `crisp: mean abs difference ${crisp.mean}`);
  // smoothly scaled by a non-integer factor: blurrier edges, still the same digit
  const smooth = roundTrip((i) => drawDigit(pixels, i, { smooth: true, scale: 7.3, offset: { x: 60 + (i % 7) * 9, y: 10 + (i % 4) * 11 } }));
  assert.ok(smooth.mean < 0.045 && smooth.worst < 0.15, `smooth ×7.3: mean ${smooth.mean}, worst ${smooth.worst}`);
});

test('a drawing on a transparent canvas reads like the same drawing on white', () => {
  const clear = roundTrip((i) => drawDigit(pixels, i, { background: 'transparent', offset: offCenter(i) }), (result) => assert.equal(result.inverted, true));
  assert.ok(clear.mean < 0.01, `mean abs difference ${clear.mean}`);
  // light ink on a transparent canvas (drawn for a dark theme) is ink too
  const light = drawDigit(pixels, 3, { background: 'transparent' });
  for (let p = 0; p < light.data.length; p += 4) light.data[p] = light.data[p + 1] = light.data[p + 2] = 255;
  const result = toMnistInput(light, 'light ink');
  assert.equal(result.inverted, false);
  assert.ok(meanAbsDiff(result.input, pixels, 3) < 0.01);
});

test('every pixel layout reads alike: gray, gray+alpha, RGB, RGBA, clamped canvas bytes', () => {
  const rgba = drawDigit(pixels, 7, { size: 140, offset: { x: 9, y: 4 }, smooth: true });
  const n = rgba.width * rgba.height;
  const pick = (channels: 1 | 2 | 3, from: number[]): RawImage => {
    const data = new Uint8Array(n * channels);
    for (let i = 0; i < n; i++) from.forEach((c, k) => (data[i * channels + k] = rgba.data[i * 4 + c]));
    return { width: rgba.width, height: rgba.height, channels, data };
  };
  const expected = toMnistInput(rgba).input;
  for (const image of [pick(1, [0]), pick(2, [0, 3]), pick(3, [0, 1, 2]), { ...rgba, data: new Uint8ClampedArray(rgba.data) }]) {
    assert.deepEqual(toMnistInput(image).input, expected, `${image.channels} channels`);
  }
});

test('noise of ±12 gray levels all over a Paint digit (grain, JPEG) is not ink', () => {
  let seed = 1;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed / 2 ** 32 - 0.5) * 24;
  };
  const { mean } = roundTrip((i) => {
    const image = drawDigit(pixels, i, { offset: offCenter(i) });
    const rgba = new Uint8ClampedArray(image.data.buffer);
    for (let p = 0; p < rgba.length; p += 4) rgba[p] = rgba[p + 1] = rgba[p + 2] = rgba[p] + noise();
    return image;
  });
  assert.ok(mean < 0.02, `mean abs difference ${mean}`);
});

test('blank, empty and malformed images are errors, not guesses', () => {
  const uniform = (value: number, channels: 1 | 4 = 1): RawImage => ({ width: 50, height: 50, channels, data: new Uint8Array(50 * 50 * channels).fill(value) });
  const blank = (name: string) => (error: Error) => error instanceof BlankImageError && error.message === `${name}: the image is blank (no ink to read)`;
  assert.throws(() => toMnistInput(uniform(255), 'white.png'), blank('white.png'));
  assert.throws(() => toMnistInput(uniform(0), 'black.png'), blank('black.png'));
  assert.throws(() => toMnistInput(uniform(128), 'gray.png'), blank('gray.png'));
  assert.throws(() => toMnistInput(uniform(0, 4), 'transparent.png'), blank('transparent.png'));
  assert.throws(() => toMnistInput(uniform(255, 4)), blank('image'));
  const trace = (value: number) => {
    const image = uniform(255);
    image.data.fill(value, 1000, 1010);
    return image;
  };
  // a gray level off is nothing; three are a mark too faint to read; twenty are a faint stroke
  assert.throws(() => toMnistInput(trace(254), 'speck.png'), blank('speck.png'));
  assert.throws(() => toMnistInput(trace(252), 'faint.png'), (error: Error) => error instanceof TooFaintError && /^faint\.png: the ink is too faint to read \(it stands out from the background by 3 of 255 gray levels/.test(error.message));
  assert.equal(toMnistInput(trace(235), 'pencil.png').box.width, 10);
  assert.throws(() => toMnistInput({ width: 0, height: 0, channels: 4, data: new Uint8Array(0) }, 'empty.png'), /^Error: empty\.png: the image is 0×0; it needs at least one pixel$/);
  assert.throws(() => toMnistInput({ width: 10, height: 10, channels: 3, data: new Uint8Array(5) }, 'short.png'), /short\.png: 5 bytes of pixels for a 10×10×3 image \(300 expected\)/);
  assert.throws(() => toMnistInput({ width: 2, height: 2, channels: 5 as 4, data: new Uint8Array(20) }, 'odd.png'), /odd\.png: 5 channels per pixel/);
});

test('a tiny dot is a (very bold) digit: no error, centered, in range', () => {
  const image: RawImage = { width: 40, height: 40, channels: 1, data: new Uint8Array(1600).fill(255) };
  image.data[10 * 40 + 30] = 0;
  const { input, box, inverted } = toMnistInput(image, 'dot');
  assert.deepEqual(box, { x: 30, y: 10, width: 1, height: 1 });
  assert.equal(inverted, true);
  assert.ok(input.every((v) => v >= 0 && v <= 1));
  assertCentered(input, 'dot');
  // MNIST's rule fits any ink into 20×20, a dot too
  assert.equal(input.filter((v) => v === 1).length, 400);
});

test('aspect ratio is kept: a tall thin "1" stays thin, a wide stroke stays flat', () => {
  const canvas = (draw: (x: number, y: number) => boolean): RawImage => {
    const data = new Uint8Array(200 * 200 * 4);
    for (let i = 0; i < 200 * 200; i++) if (draw(i % 200, Math.floor(i / 200))) data.fill(255, i * 4, i * 4 + 4);
    return { width: 200, height: 200, channels: 4, data };
  };
  const extent = (input: Float32Array) => {
    const rows = new Set<number>();
    const cols = new Set<number>();
    input.forEach((v, i) => v > 0.5 && (rows.add(Math.floor(i / 28)), cols.add(i % 28)));
    return { rows: rows.size, cols: cols.size };
  };
  // white 12×150 bar on transparent: 20 rows, 12 × 20/150 = 1.6 columns
  const one = toMnistInput(canvas((x, y) => x >= 90 && x < 102 && y >= 30 && y < 180), 'one');
  assert.deepEqual(one.box, { x: 90, y: 30, width: 12, height: 150 });
  assert.deepEqual(extent(one.input), { rows: 20, cols: 2 });
  assertCentered(one.input, 'one');
  const dash = toMnistInput(canvas((x, y) => x >= 20 && x < 180 && y >= 100 && y < 140), 'dash');
  assert.deepEqual(extent(dash.input), { rows: 5, cols: 20 });
});

test('a lopsided digit, its center of mass far from its middle, is clipped at the edge, not wrapped', () => {
  const image: RawImage = { width: 100, height: 100, channels: 1, data: new Uint8Array(100 * 100) };
  for (let y = 0; y < 100; y++) image.data.fill(255, y * 100 + 48, y * 100 + 50);
  for (let y = 0; y < 30; y++) image.data.fill(255, y * 100 + 20, y * 100 + 80);
  const { input } = toMnistInput(image, 'hammer');
  assert.ok(input.every((v) => v >= 0 && v <= 1));
  // the heavy head sits near the center, so the handle runs off the bottom edge
  assert.ok(input.slice(27 * 28).some((v) => v > 0), 'the handle reaches the bottom row');
  assert.ok(input.slice(0, 28 * 8).every((v) => v === 0), 'nothing wraps round to the top');
});

test('a large picture (the 560-pixel pad, a 1,680-pixel photo) is averaged down first and reads like the same drawing at 280 pixels, its box in its own pixels', () => {
  for (const size of [560, 1680]) {
    const { mean, worst } = roundTrip(
      (i) => drawDigit(pixels, i, { size, smooth: true }),
      (result) => {
        const { x, y, width, height } = result.box;
        assert.ok(x >= 0 && y >= 0 && x + width <= size && y + height <= size && width > size / 10 && height > size / 10, `${size}: box ${JSON.stringify(result.box)}`);
      },
    );
    const small = roundTrip((i) => drawDigit(pixels, i, { size: 280, smooth: true }));
    assert.ok(mean < small.mean + 0.01 && worst < small.worst + 0.05, `${size} pixels: mean ${mean}, worst ${worst}; 280 pixels: mean ${small.mean}, worst ${small.worst}`);
  }
});

test('averaging a picture down: transparent pixels lend a block none of their colour', () => {
  // white ink beside transparent black, 2×1: one block, half covered, still white
  const half = shrinkImage({ width: 2, height: 1, channels: 4, data: new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0]) }, 2);
  assert.deepEqual([...half.data], [255, 255, 255, 128]);
  // gray: a 3×3 picture by 2 is 2×2 blocks, the last row and column of blocks partial
  const gray = shrinkImage({ width: 3, height: 3, channels: 1, data: new Uint8Array([0, 100, 200, 50, 150, 250, 10, 20, 30]) }, 2);
  assert.deepEqual([gray.width, gray.height, ...gray.data], [2, 2, 75, 225, 15, 30]);
  assert.equal(shrinkFactor({ width: 560, height: 560 }), 2);
  assert.equal(shrinkFactor({ width: 280, height: 280 }), 1);
});
