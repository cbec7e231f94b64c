// Any image of a digit into the 28×28 input MNIST models expect, the way MNIST was made:
// white ink on black, the ink scaled into a 20×20 box keeping its aspect ratio (anti-aliased
// by area averaging), then shifted so its center of mass sits at the center of the field.
// Before that, the digit's own ink is told from the picture's noise and stray marks.
// Pure TS on typed arrays: it runs in Node and in the renderer, on every stroke.
import { keepDigit, type Box } from './components';
import { inkStrength } from './ink';
import { otsu } from './otsu';
import { areaTaps } from './resample';
import { dilate, MNIST_STROKE, strokeWidth } from './stroke';
import { shrinkFactor, shrinkImage, type RawImage } from './raw-image';

export type { RawImage } from './raw-image';

export interface Preprocessed {
  /** 784 values 0..1, white ink on black like MNIST */
  input: Float32Array;
  /** the ink was dark, so the image was inverted: a light background (Paint's black on white), or dark strokes on a transparent canvas */
  inverted: boolean;
  /** the ink's bounding box in source pixels */
  box: { x: number; y: number; width: number; height: number };
}

export class BlankImageError extends Error {
  constructor(name: string) {
    super(`${name}: the image is blank (no ink to read)`);
    this.name = 'BlankImageError';
  }
}

/** There is ink, but it stands out from the background too little to be read. */
export class TooFaintError extends Error {
  constructor(name: string, contrast: number) {
    super(`${name}: the ink is too faint to read (it stands out from the background by ${contrast} of 255 gray levels; at least ${MIN_CONTRAST}, and three times the background's own noise, are needed)`);
    this.name = 'TooFaintError';
  }
}

export const MNIST_SIDE = 28;
/** MNIST fitted each digit's longer side to 20 pixels. */
const DIGIT_BOX = 20;
/** MNIST's centers of mass sit on pixel 14 (0-based), within half a pixel. */
const CENTER = 14;
/** An image whose every pixel is this close to the background (0..255) is blank. */
const BLANK = 2;
/** The ink's mean must stand out from the background by this much (0..255)... */
const MIN_CONTRAST = 5;
/** ...and by this many times the background's own noise. */
const MIN_SIGNAL_TO_NOISE = 3;
/** Ink weaker than this, relative to the strongest, is noise: paper grain, JPEG's faintest ringing. */
const NOISE_FLOOR = 0.02;
/**
 * Ink at least this strong sets the digit's extent; the box then takes in the one-pixel
 * anti-aliased fringe around it, but not the JPEG ringing a few pixels out.
 */
const BOX_THRESHOLD = 0.15;
const MAX_PIXELS = 64 * 2 ** 20;

function checkImage(image: RawImage, name: string): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${name}: the image is ${width}×${height}; it needs at least one pixel`);
  }
  if (width * height > MAX_PIXELS) throw new Error(`${name}: ${width}×${height} is more than ${MAX_PIXELS} pixels`);
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new Error(`${name}: ${channels} channels per pixel; 1 to 4 are supported`);
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new Error(`${name}: ${data.length} bytes of pixels for a ${width}×${height}×${channels} image (${expected} expected)`);
  }
}

/**
 * The ink levels chosen from the picture: pixels under `floor` are noise (relative to the
 * strongest ink, or the background's own noise when that is higher), and ink from `strong` up
 * sets the digit's extent; neither above Otsu's split between background and ink.
 */
function inkLevels(strength: Float32Array, peak: number, noise: number, name: string): { floor: number; strong: number } {
  const split = otsu(strength);
  const contrast = Math.round(split.ink);
  if (contrast < MIN_CONTRAST || split.ink < MIN_SIGNAL_TO_NOISE * noise) throw new TooFaintError(name, contrast);
  const strong = Math.min(split.threshold + 1, Math.max(BOX_THRESHOLD * peak, 2 * noise));
  return { floor: Math.min(strong, Math.max(NOISE_FLOOR * peak, noise + 1)), strong };
}

function zeroBelow(strength: Float32Array, floor: number): void {
  for (let i = 0; i < strength.length; i++) if (strength[i] < floor) strength[i] = 0;
}

function anyInk(ink: Float32Array, from: number, count: number, step: number): boolean {
  for (let i = 0, at = from; i < count; i++, at += step) if (ink[at] > 0) return true;
  return false;
}

/** Widens the box by one pixel on each side where the ink's fringe continues past it. */
function withFringe(ink: Float32Array, width: number, height: number, box: Box): Box {
  let { x, y, width: w, height: h } = box;
  if (x > 0 && anyInk(ink, y * width + x - 1, h, width)) {
    x--;
    w++;
  }
  if (x + w < width && anyInk(ink, y * width + x + w, h, width)) w++;
  if (y > 0 && anyInk(ink, (y - 1) * width + x, w, 1)) {
    y--;
    h++;
  }
  if (y + h < height && anyInk(ink, (y + h) * width + x, w, 1)) h++;
  return { x, y, width: w, height: h };
}

/** The box's ink, area-averaged by `step` source pixels to one. */
function resample(ink: Float32Array, width: number, box: Box, step: number): { digit: Float32Array; w: number; h: number } {
  const cols = areaTaps(box.width, step);
  const rows = areaTaps(box.height, step);
  const w = cols.size;
  const h = rows.size;
  // Horizontal pass over the box's rows, then the vertical pass.
  const across = new Float32Array(box.height * w);
  for (let y = 0; y < box.height; y++) {
    const src = (box.y + y) * width + box.x;
    for (let o = 0; o < w; o++) {
      let sum = 0;
      for (let k = 0, t = o * cols.stride; k < cols.count[o]; k++, t++) sum += ink[src + cols.first[o] + k] * cols.weights[t];
      across[y * w + o] = sum;
    }
  }
  const digit = new Float32Array(w * h);
  for (let o = 0; o < h; o++) {
    for (let k = 0, t = o * rows.stride; k < rows.count[o]; k++, t++) {
      const weight = rows.weights[t];
      const src = (rows.first[o] + k) * w;
      for (let x = 0; x < w; x++) digit[o * w + x] += across[src + x] * weight;
    }
  }
  return { digit, w, h };
}

/** Strokes thinner than a target pixel average to gray; MNIST's darkest ink is always 1. */
function darkestAtOne(digit: Float32Array): void {
  let peak = 0;
  for (let i = 0; i < digit.length; i++) peak = Math.max(peak, digit[i]);
  for (let i = 0; i < digit.length; i++) digit[i] /= peak;
}

/** The box's ink, area-averaged so its longer side is `side` pixels, the darkest ink at 1. */
function scaleDigit(ink: Float32Array, width: number, box: Box, side: number): { digit: Float32Array; w: number; h: number } {
  const scaled = resample(ink, width, box, Math.max(box.width, box.height) / side);
  darkestAtOne(scaled.digit);
  return scaled;
}

/** Thin strokes are widened on a grid this many times finer than the 20×20 box, then averaged down. */
const FINE = 4;
/** Strokes widen by at most this many pixels of the 20×20 box. */
const MAX_GROW = 2;

/**
 * The digit in the 20×20 box. Strokes thinner than nearly all of MNIST's are brought to MNIST's
 * typical width, the way a broader pen would have drawn them: the digit is scaled into a box
 * smaller by the growth on a grid FINE times finer, its ink spread by a disk there, and the
 * grid averaged down, so the digit still fills 20×20 with solid strokes and soft edges.
 */
function scaleToMnist(ink: Float32Array, width: number, box: Box): { digit: Float32Array; w: number; h: number } {
  const scaled = scaleDigit(ink, width, box, DIGIT_BOX);
  const stroke = strokeWidth(scaled.digit, scaled.w, scaled.h);
  if (stroke <= 0 || stroke >= MNIST_STROKE.thin) return scaled;
  // Widening by `grow` pixels in all adds about that much to the measured width; three rounds of
  // correcting by what is still missing land within a few hundredths of the aim.
  let grow = 0;
  let best = scaled;
  for (let round = 0, now = stroke; round < 3 && MNIST_STROKE.typical - now > 0.05 && grow < MAX_GROW; round++) {
    grow = Math.min(MAX_GROW, grow + MNIST_STROKE.typical - now);
    best = widened(ink, width, box, grow);
    now = strokeWidth(best.digit, best.w, best.h);
  }
  return best;
}

/** The digit scaled into a box `grow` pixels smaller on the fine grid, widened there by `grow` pixels and averaged down. */
function widened(ink: Float32Array, width: number, box: Box, grow: number): { digit: Float32Array; w: number; h: number } {
  // the disk's soft rim and the area averaging reach up to a fine pixel past its radius on each side
  const fine = scaleDigit(ink, width, box, FINE * (DIGIT_BOX - grow) - 2);
  const wide = dilate(fine.digit, fine.w, fine.h, (FINE * grow) / 2);
  const digit = resample(wide.ink, wide.w, { x: 0, y: 0, width: wide.w, height: wide.h }, FINE);
  darkestAtOne(digit.digit);
  return digit;
}

/** Places the scaled digit in 28×28 with its center of mass on (14, 14), whole-pixel shift, clipped. */
function centerByMass(digit: Float32Array, w: number, h: number): Float32Array {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = digit[y * w + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const left = Math.round(CENTER - mx / mass);
  const top = Math.round(CENTER - my / mass);
  const input = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = Math.max(0, -top); y < Math.min(h, MNIST_SIDE - top); y++) {
    for (let x = Math.max(0, -left); x < Math.min(w, MNIST_SIDE - left); x++) {
      input[(y + top) * MNIST_SIDE + x + left] = digit[y * w + x];
    }
  }
  return input;
}

/** A box found on the picture averaged down by `factor`, in the picture's own pixels. */
function inPicture(box: Box, factor: number, picture: RawImage): Box {
  if (factor === 1) return box;
  const x = box.x * factor;
  const y = box.y * factor;
  return { x, y, width: Math.min(picture.width - x, box.width * factor), height: Math.min(picture.height - y, box.height * factor) };
}

/** Turns a digit image into MNIST's 28×28 input; a blank or too faint image is an error, not a guess. */
export function toMnistInput(picture: RawImage, name = 'image'): Preprocessed {
  checkImage(picture, name);
  const factor = shrinkFactor(picture);
  const image = shrinkImage(picture, factor);
  const { strength, peak, inverted, noise } = inkStrength(image);
  if (peak < BLANK) throw new BlankImageError(name);
  const { floor, strong: strongLevel } = inkLevels(strength, peak, noise, name);
  zeroBelow(strength, floor);
  const strong = keepDigit(strength, image.width, image.height, strongLevel);
  if (!strong) throw new BlankImageError(name);
  const box = withFringe(strength, image.width, image.height, strong);
  const { digit, w, h } = scaleToMnist(strength, image.width, box);
  return { input: centerByMass(digit, w, h), inverted, box: inPicture(box, factor, picture) };
}
