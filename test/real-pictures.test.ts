// Pictures of digits as people take them: a phone's JPEG turned by its EXIF tag, a speck, a
// frame line, a neighbouring digit's edge, faint pencil, a photo's uneven lighting. Each is
// made from a real MNIST test digit and must reach the model as the clean drawing does.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import jpeg from 'jpeg-js';
import { decodeImage } from '../src/files/images';
import { orient } from '../src/files/exif';
import { toMnistInput, TooFaintError, type RawImage } from '../src/shared/preprocess';
import { drawDigit, loadTestDigits, meanAbsDiff } from './helpers/digits';

const DIGITS = 10;
const SIZE = 300;
let pixels: Uint8Array;
before(async () => {
  pixels = await loadTestDigits();
});

/** Digit `index` smoothly drawn at 6× on a 300×300 white page, off-center. */
function page(index: number): RawImage {
  return drawDigit(pixels, index, { size: SIZE, scale: 6, smooth: true, offset: { x: 50 + (index % 5) * 8, y: 45 + (index % 3) * 11 } });
}

/**
 * Mean absolute difference between two 28×28 inputs, at the best whole-pixel shift of up to one
 * pixel: centering by mass rounds to a whole pixel, so a hair's difference can move a digit by one.
 */
function meanDiff(a: Float32Array, b: Float32Array): number {
  let best = Infinity;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      let sum = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const bx = x + dx;
          const by = y + dy;
          sum += Math.abs(a[y * 28 + x] - (bx >= 0 && by >= 0 && bx < 28 && by < 28 ? b[by * 28 + bx] : 0));
        }
      }
      best = Math.min(best, sum / a.length);
    }
  }
  return best;
}

/**
 * Runs the first DIGITS pages through `spoil` and checks that the 28×28 input stays within
 * `bound` (mean abs difference) of the clean page's; returns the worst difference.
 */
function survives(spoil: (image: RawImage, index: number) => RawImage, bound: number): number {
  let worst = 0;
  for (let i = 0; i < DIGITS; i++) {
    const clean = toMnistInput(page(i), `clean #${i}`).input;
    const spoiled = toMnistInput(spoil(page(i), i), `spoiled #${i}`).input;
    worst = Math.max(worst, meanDiff(spoiled, clean));
  }
  assert.ok(worst < bound, `worst mean abs difference from the clean page ${worst.toFixed(4)}`);
  return worst;
}

function paint(image: RawImage, inside: (x: number, y: number) => boolean, gray: number): RawImage {
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (inside(x, y)) image.data.fill(gray, (y * image.width + x) * 4, (y * image.width + x) * 4 + 3);
    }
  }
  return image;
}

test('the clean pages themselves come through as their MNIST digits', () => {
  // smoothly scaled 6×, their anti-aliased edges are a little wider than MNIST's
  for (let i = 0; i < DIGITS; i++) assert.ok(meanAbsDiff(toMnistInput(page(i)).input, pixels, i) < 0.08, `digit #${i}`);
});

test('a speck of ink far from the digit is dropped, not boxed with it', () => {
  // a 10-pixel blot in the bottom right corner, and one top left
  survives((image) => paint(image, (x, y) => (x - 280) ** 2 + (y - 285) ** 2 < 25 || (x - 20) ** 2 + (y - 25) ** 2 < 16, 20), 0.002);
  // without dropping it, the box would take in the corner and shrink the digit
  const spoiled = paint(page(0), (x, y) => (x - 280) ** 2 + (y - 285) ** 2 < 25, 20);
  assert.deepEqual(toMnistInput(spoiled).box, toMnistInput(page(0)).box);
});

test('a frame line along the border, and a neighbouring digit cut off at the edge, are dropped', () => {
  // a frame drawn two pixels inside the picture, three pixels thick
  const line = (v: number) => (v >= 2 && v < 5) || (v >= SIZE - 5 && v < SIZE - 2);
  const frame = (x: number, y: number) => ((line(x) || line(y)) && x >= 2 && y >= 2 && x < SIZE - 2 && y < SIZE - 2);
  survives((image) => paint(image, frame, 30), 0.002);
  // a ruled line across the page near its top, as on a notebook page
  survives((image) => paint(image, (x, y) => y >= 8 && y < 11, 90), 0.002);
  // the right edge of the next digit on the page: a thick arc cut by the picture's edge
  const neighbour = (x: number, y: number) => Math.abs(Math.hypot(x - 325, y - 150) - 35) < 7;
  survives((image) => paint(image, neighbour, 0), 0.002);
});

test('faint pencil (12 to 35 gray levels of contrast) reads like dark ink, and a mere trace is "too faint", not "blank"', () => {
  const faint = (contrast: number) => (image: RawImage) => {
    for (let p = 0; p < image.data.length; p += 4) {
      const ink = 255 - image.data[p];
      image.data.fill(Math.round(255 - (ink * contrast) / 255), p, p + 3);
    }
    return image;
  };
  // fewer gray levels round the stroke's anti-aliased edge more coarsely
  survives(faint(35), 0.015);
  survives(faint(12), 0.025);
  assert.throws(
    () => toMnistInput(faint(3)(page(0)), 'trace.png'),
    (error: Error) => error instanceof TooFaintError && error.message.startsWith('trace.png: the ink is too faint to read'),
  );
});

test('a photo with uneven lighting (paper from 45% to 100% bright) reads like the evenly lit page', () => {
  const lit = (image: RawImage) => {
    for (let y = 0, p = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++, p += 4) {
        const light = 0.45 + (0.55 * (x + y)) / (2 * SIZE);
        image.data.fill(Math.round(image.data[p] * light), p, p + 3);
      }
    }
    return image;
  };
  survives(lit, 0.01);
  // grain on top of it, as a phone's sensor adds
  let seed = 7;
  const grain = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed / 2 ** 32 - 0.5) * 16;
  };
  survives((image) => {
    lit(image);
    for (let p = 0; p < image.data.length; p += 4) image.data.fill(Math.max(0, Math.min(255, Math.round(image.data[p] + grain()))), p, p + 3);
    return image;
  }, 0.03);
});

// ---- EXIF orientation ---------------------------------------------------------------------

/** The EXIF spec's meaning of each Orientation, from the turns that show the stored image upright. */
const rotateClockwise = (image: RawImage) => mapPixels(image, image.height, image.width, (x, y) => [y, image.height - 1 - x]);
const flipLeftRight = (image: RawImage) => mapPixels(image, image.width, image.height, (x, y) => [image.width - 1 - x, y]);
const flipUpDown = (image: RawImage) => mapPixels(image, image.width, image.height, (x, y) => [x, image.height - 1 - y]);
const times = (n: number, turn: (image: RawImage) => RawImage) => (image: RawImage) => Array.from({ length: n }).reduce<RawImage>((im) => turn(im), image);
/** How a camera stores an upright picture for each tag (the inverse of what the tag says to do). */
const STORED: Record<number, (image: RawImage) => RawImage> = {
  2: flipLeftRight,
  3: times(2, rotateClockwise),
  4: flipUpDown,
  5: (image) => flipLeftRight(rotateClockwise(image)),
  6: times(3, rotateClockwise),
  7: (image) => flipUpDown(rotateClockwise(image)),
  8: rotateClockwise,
};

function mapPixels(image: RawImage, width: number, height: number, from: (x: number, y: number) => [number, number]): RawImage {
  const { channels } = image;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = from(x, y);
      data.set(image.data.subarray((sy * image.width + sx) * channels, (sy * image.width + sx + 1) * channels), (y * width + x) * channels);
    }
  }
  return { width, height, channels, data };
}

/** A JPEG with an APP1 EXIF segment holding IFD0's Orientation, as a phone writes it. */
function withOrientation(jpegBytes: Uint8Array, orientation: number, littleEndian: boolean): Uint8Array {
  const tiff = new DataView(new ArrayBuffer(8 + 2 + 12 + 4));
  tiff.setUint16(0, littleEndian ? 0x4949 : 0x4d4d);
  tiff.setUint16(2, 42, littleEndian);
  tiff.setUint32(4, 8, littleEndian);
  tiff.setUint16(8, 1, littleEndian);
  tiff.setUint16(10, 0x0112, littleEndian);
  tiff.setUint16(12, 3, littleEndian);
  tiff.setUint32(14, 1, littleEndian);
  tiff.setUint16(18, orientation, littleEndian);
  const payload = [...Buffer.from('Exif\0\0', 'latin1'), ...new Uint8Array(tiff.buffer)];
  const segment = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  return Uint8Array.from([...jpegBytes.subarray(0, 2), ...segment, ...jpegBytes.subarray(2)]);
}

const encodeJpeg = (image: RawImage) => new Uint8Array(jpeg.encode({ width: image.width, height: image.height, data: image.data }, 90).data);

test('every EXIF Orientation turns the stored pixels upright', () => {
  const upright: RawImage = { width: 3, height: 2, channels: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
  for (const [tag, store] of Object.entries(STORED)) {
    assert.deepEqual(orient(store(upright), Number(tag)), upright, `Orientation ${tag}`);
  }
});

test('a phone JPEG stored sideways with Orientation 6 (or 8, 3) reads upright, like the same picture saved upright', () => {
  let worst = 0;
  for (let i = 0; i < 2; i++) {
    const upright = decodeImage(encodeJpeg(page(i)), 'upright.jpg');
    const clean = toMnistInput(upright).input;
    for (const [tag, littleEndian] of [[6, false], [8, true], [3, true]] as const) {
      const photo = withOrientation(encodeJpeg(STORED[tag](page(i))), tag, littleEndian);
      const decoded = decodeImage(photo, `IMG_${i}.jpg`);
      assert.deepEqual([decoded.width, decoded.height], [SIZE, SIZE]);
      worst = Math.max(worst, meanDiff(toMnistInput(decoded).input, clean));
    }
  }
  assert.ok(worst < 0.01, `worst mean abs difference ${worst}`);
  // the tag is what turns it: the same sideways pixels without it read sideways
  const sideways = decodeImage(encodeJpeg(STORED[6](page(0))), 'sideways.jpg');
  assert.ok(meanDiff(toMnistInput(sideways).input, toMnistInput(page(0)).input) > 0.05);
});

test('a broken or absent EXIF block leaves the JPEG as it is stored', () => {
  const bytes = encodeJpeg(page(1));
  const plain = decodeImage(bytes, 'plain.jpg');
  const bad = withOrientation(bytes, 6, true);
  // an IFD offset past the segment's end
  bad[4 + 2 + 6 + 4] = 0xff;
  assert.deepEqual(decodeImage(bad, 'bad-exif.jpg').data, plain.data);
  assert.deepEqual(decodeImage(withOrientation(bytes, 9, true), 'odd-tag.jpg').data, plain.data);
});
