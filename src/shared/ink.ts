// How much ink each pixel holds, whatever the image's colors: the background is found from the
// image's border (the margin around a digit), and ink is the distance from it toward the
// far extreme, so black on white (Paint) and white on black (MNIST) read alike.
import type { RawImage } from './raw-image';

/** Ink must differ from the background by this much (0..255) for the image not to be blank. */
const MIN_CONTRAST = 40;
/** Alpha bytes below this are transparent, i.e. background. */
const OPAQUE = 128;
/** A background (or, on a transparent canvas, ink) at least this light is white-ish. */
const LIGHT = 128;

export interface InkStrength {
  /** per pixel, 0..255: how far it is from the background toward the ink */
  strength: Float32Array;
  /** the strongest ink, or 0 if it is too faint to be anything but a blank image */
  peak: number;
  inverted: boolean;
}

function grayAt(data: RawImage['data'], p: number, channels: number): number {
  return channels >= 3 ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
}

/** The median gray of the opaque border pixels, and whether most of the border is transparent. */
function border(image: RawImage): { level: number; transparent: boolean } {
  const { width, height, channels, data } = image;
  const hasAlpha = channels === 2 || channels === 4;
  const histogram = new Uint32Array(256);
  let opaque = 0;
  let clear = 0;
  const take = (i: number) => {
    const p = i * channels;
    if (hasAlpha && data[p + channels - 1] < OPAQUE) {
      clear++;
    } else {
      histogram[Math.round(grayAt(data, p, channels))]++;
      opaque++;
    }
  };
  for (let x = 0; x < width; x++) {
    take(x);
    if (height > 1) take((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y++) {
    take(y * width);
    if (width > 1) take(y * width + width - 1);
  }
  let level = 0;
  for (let seen = 0; level < 255; level++) {
    seen += histogram[level];
    if (seen * 2 > opaque) break;
  }
  return { level, transparent: clear > opaque };
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

// The loops live in small functions returning numbers: V8 optimises those whole, where a loop
// inside this function ran as on-stack-replaced code that deoptimised on every call.
export function inkStrength(image: RawImage): InkStrength {
  const { level, transparent } = border(image);
  const { channels } = image;
  // One element type whatever the caller passed (canvas pixels are clamped), for one compiled loop.
  const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length);
  const strength = new Float32Array(image.width * image.height);
  if (transparent) {
    // The ink is whatever is opaque, dark or light.
    const peak = alphaStrength(strength, data, channels);
    return { strength, peak: peak < MIN_CONTRAST ? 0 : peak, inverted: inkGray(data, channels) < LIGHT };
  }
  const inverted = level >= LIGHT;
  const peak = inkToward(strength, data, channels, level, inverted ? -1 : 1);
  return { strength, peak: peak < MIN_CONTRAST ? 0 : peak, inverted };
}
