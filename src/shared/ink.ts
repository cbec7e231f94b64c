// How much ink each pixel holds, whatever the image's colors: the background is found from the
// image's border (the margin around a digit), and ink is the distance from it toward the
// far extreme, so black on white (Paint) and white on black (MNIST) read alike. A photo's
// unevenly lit paper is evened out first.
import { backgroundSurface } from './background';
import { inkPieces } from './components';
import type { RawImage } from './raw-image';

/** Alpha bytes below this are transparent, i.e. background. */
const OPAQUE = 128;
/** A background (or, on a transparent canvas, ink) at least this light is white-ish. */
const LIGHT = 128;
/** A border whose stretches' medians differ this much may be unevenly lit paper. */
const UNEVEN = 24;
/** The border is cut into this many stretches, each at least MIN_STRETCH pixels long. */
const STRETCHES = 16;
const MIN_STRETCH = 4;
/** The border's ink above this share of its pixels is noise (grain, JPEG) to ignore. */
const NOISE_PERCENTILE = 0.9;
/**
 * A pixel is strongly coloured when its channels spread at least this far (0..255)... e.g. an
 * app's pure red box, (255, 0, 0), or its dimmed edge, (100, 0, 0)...
 */
const COLOURED_SPREAD = 48;
/** ...and by at least this share of its brightest channel (HSV's saturation). */
const COLOURED_SATURATION = 0.4;

export interface InkStrength {
  /** per pixel, 0..255: how far it is from the background toward the ink */
  strength: Float32Array;
  /** the strongest ink */
  peak: number;
  inverted: boolean;
  /** the background's own ink-like noise: the border's 90th percentile of strength */
  noise: number;
}

function grayAt(data: RawImage['data'], p: number, channels: number): number {
  return channels >= 3 ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
}

function percentile(histogram: Uint32Array, total: number, share: number): number {
  let level = 0;
  for (let seen = 0; level < histogram.length - 1; level++) {
    seen += histogram[level];
    if (seen > share * total) break;
  }
  return level;
}

/** Calls `visit` with each border pixel's index and its place along the border, clockwise from the top left. */
function eachBorderPixel(width: number, height: number, visit: (i: number, k: number) => void): number {
  let k = 0;
  for (let x = 0; x < width; x++) visit(x, k++);
  for (let y = 1; y < height; y++) visit(y * width + width - 1, k++);
  if (height > 1) for (let x = width - 2; x >= 0; x--) visit((height - 1) * width + x, k++);
  if (width > 1) for (let y = height - 2; y > 0; y--) visit(y * width, k++);
  return k;
}

function perimeter(width: number, height: number): number {
  return height === 1 ? width : width === 1 ? height : 2 * (width + height) - 4;
}

/**
 * Lighting changes the paper's level smoothly along the border; a digit touching the border
 * jumps. So the border is unevenly lit paper when the medians of its stretches differ by more
 * than UNEVEN and no two neighbouring stretches differ by more than half of that range.
 */
function unevenlyLit(stretches: Uint32Array[]): boolean {
  const medians = stretches.map((h) => percentile(h, h.reduce((a, b) => a + b, 0), 0.5));
  const range = Math.max(...medians) - Math.min(...medians);
  if (range <= UNEVEN) return false;
  return medians.every((m, s) => Math.abs(m - medians[(s + 1) % medians.length]) <= range / 2);
}

/**
 * The median gray of the opaque border pixels, whether they spread like unevenly lit paper, and
 * whether most of the border is transparent.
 */
function border(image: RawImage): { level: number; uneven: boolean; transparent: boolean } {
  const { width, height, channels, data } = image;
  const hasAlpha = channels === 2 || channels === 4;
  const histogram = new Uint32Array(256);
  const around = perimeter(width, height);
  const stretches = Array.from({ length: around >= MIN_STRETCH * STRETCHES ? STRETCHES : 1 }, () => new Uint32Array(256));
  let opaque = 0;
  let clear = 0;
  const take = (i: number, k: number) => {
    const p = i * channels;
    if (hasAlpha && data[p + channels - 1] < OPAQUE) {
      clear++;
    } else {
      const gray = Math.round(grayAt(data, p, channels));
      histogram[gray]++;
      stretches[Math.floor((k * stretches.length) / around)][gray]++;
      opaque++;
    }
  };
  eachBorderPixel(width, height, take);
  const level = percentile(histogram, opaque, 0.5);
  const transparent = clear > opaque;
  return { level, uneven: !transparent && stretches.length > 1 && unevenlyLit(stretches), transparent };
}

/**
 * The background's own noise (grain, JPEG): how strong the border's ink is at its 90th
 * percentile, taken per stretch of the border, the median stretch, so a digit touching the
 * border is not counted as noise.
 */
function borderNoise(strength: Float32Array, width: number, height: number): number {
  const around = perimeter(width, height);
  const count = around >= MIN_STRETCH * STRETCHES ? STRETCHES : 1;
  const stretches = Array.from({ length: count }, () => new Uint32Array(256));
  eachBorderPixel(width, height, (i, k) => stretches[Math.floor((k * count) / around)][Math.min(255, Math.round(strength[i]))]++);
  const noises = stretches.map((h) => percentile(h, h.reduce((a, b) => a + b, 0), NOISE_PERCENTILE)).sort((a, b) => a - b);
  return noises[Math.floor(count / 2)];
}

/** Alpha as ink, for a drawing on a transparent canvas; returns the peak. */
function alphaStrength(strength: Float32Array, data: Uint8Array, channels: number): number {
  let peak = 0;
  for (let i = 0, a = channels - 1; i < strength.length; i++, a += channels) {
    const alpha = data[a];
    strength[i] = alpha;
    if (alpha > peak) peak = alpha;
  }
  return peak;
}

/** The mean gray of the ink, weighted by alpha. */
function inkGray(data: Uint8Array, channels: number): number {
  let weight = 0;
  let sum = 0;
  for (let p = 0; p < data.length; p += channels) {
    const alpha = data[p + channels - 1];
    weight += alpha;
    sum += alpha * grayAt(data, p, channels);
  }
  return weight > 0 ? sum / weight : 0;
}

/**
 * Each pixel's ink: its distance from the background level toward `sign`, after compositing it
 * over the background by its alpha. Returns the peak.
 */
function inkToward(strength: Float32Array, data: Uint8Array, channels: number, level: number, sign: number): number {
  const color = channels >= 3;
  const alphaAt = channels === 2 || channels === 4 ? channels - 1 : -1;
  let peak = 0;
  for (let i = 0, p = 0; i < strength.length; i++, p += channels) {
    const gray = color ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
    const alpha = alphaAt < 0 ? 1 : data[p + alphaAt] / 255;
    const v = (gray - level) * alpha * sign;
    if (v > 0) {
      strength[i] = v;
      if (v > peak) peak = v;
    }
  }
  return peak;
}

/**
 * Ink on unevenly lit paper: each pixel against the paper's level under it. On light paper the
 * ink is the share of light it takes away (lighting multiplies), scaled to 0..255.
 */
function inkOnUnevenPaper(strength: Float32Array, image: RawImage, data: Uint8Array, light: boolean): number {
  const { width, height, channels } = image;
  const alphaAt = channels === 2 || channels === 4 ? channels - 1 : -1;
  const gray = new Float32Array(width * height);
  for (let i = 0, p = 0; i < gray.length; i++, p += channels) gray[i] = grayAt(data, p, channels);
  const paper = backgroundSurface(gray, width, height, light);
  let peak = 0;
  for (let i = 0, p = 0; i < strength.length; i++, p += channels) {
    const alpha = alphaAt < 0 ? 1 : data[p + alphaAt] / 255;
    const v = (light ? ((paper[i] - gray[i]) * 255) / Math.max(1, paper[i]) : gray[i] - paper[i]) * alpha;
    if (v > 0) {
      strength[i] = Math.min(255, v);
      if (v > peak) peak = strength[i];
    }
  }
  return peak;
}

/**
 * On a picture whose ink is mostly black, white or gray, strongly coloured marks are not the
 * digit: the red box and label a drawing app puts around its guess, a teacher's red tick. Their
 * ink is zeroed, and so is any other ink lying on them (more of its outline against the colour
 * than against the background: the white text printed on the label). A digit drawn in colour
 * (a blue pen) is most of the ink and stays, as does everything on a picture whose ink is
 * mostly coloured. Returns whether any ink was dropped.
 */
function dropColouredMarks(strength: Float32Array, data: Uint8Array, width: number, height: number, channels: number): boolean {
  const coloured = new Uint8Array(strength.length);
  let colouredInk = 0;
  let neutralInk = 0;
  for (let i = 0, p = 0; i < strength.length; i++, p += channels) {
    const v = strength[i];
    if (v <= 0) continue;
    const r = data[p];
    const g = data[p + 1];
    const b = data[p + 2];
    const high = Math.max(r, g, b);
    const spread = high - Math.min(r, g, b);
    if (spread >= COLOURED_SPREAD && spread >= COLOURED_SATURATION * high) {
      coloured[i] = 1;
      colouredInk += v;
    } else {
      neutralInk += v;
    }
  }
  if (colouredInk === 0 || colouredInk >= neutralInk) return false;
  for (let i = 0; i < strength.length; i++) if (coloured[i]) strength[i] = 0;
  dropInkOnColour(strength, coloured, width, height);
  return true;
}

/** Zeroes the pieces of ink whose outline runs more against coloured marks than against the background. */
function dropInkOnColour(strength: Float32Array, coloured: Uint8Array, width: number, height: number): void {
  const { labels, count } = inkPieces(strength, width, height);
  const onColour = new Float64Array(count + 1);
  const onPaper = new Float64Array(count + 1);
  const edge = (piece: number, j: number) => {
    if (coloured[j]) onColour[piece]++;
    else if (strength[j] <= 0) onPaper[piece]++;
  };
  for (let i = 0; i < strength.length; i++) {
    const piece = labels[i];
    if (piece === 0) continue;
    const y = (i / width) | 0;
    const x = i - y * width;
    if (x > 0) edge(piece, i - 1);
    if (x < width - 1) edge(piece, i + 1);
    if (y > 0) edge(piece, i - width);
    if (y < height - 1) edge(piece, i + width);
  }
  for (let i = 0; i < strength.length; i++) if (labels[i] !== 0 && onColour[labels[i]] > onPaper[labels[i]]) strength[i] = 0;
}

/** The strongest ink left. */
function peakOf(strength: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < strength.length; i++) if (strength[i] > peak) peak = strength[i];
  return peak;
}

// The loops live in small functions returning numbers: V8 optimises those whole, where a loop
// inside this function ran as on-stack-replaced code that deoptimised on every call.
export function inkStrength(image: RawImage): InkStrength {
  const { level, uneven, transparent } = border(image);
  const { channels, width, height } = image;
  // One element type whatever the caller passed (canvas pixels are clamped), for one compiled loop.
  const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length);
  const strength = new Float32Array(image.width * image.height);
  if (transparent) {
    // The ink is whatever is opaque, dark or light.
    const peak = alphaStrength(strength, data, channels);
    return { strength, peak, inverted: inkGray(data, channels) < LIGHT, noise: 0 };
  }
  const inverted = level >= LIGHT;
  let peak = uneven ? inkOnUnevenPaper(strength, image, data, inverted) : inkToward(strength, data, channels, level, inverted ? -1 : 1);
  if (channels >= 3 && dropColouredMarks(strength, data, width, height, channels)) peak = peakOf(strength);
  return { strength, peak, inverted, noise: borderNoise(strength, width, height) };
}
