// Any image of a digit into the 28×28 input MNIST models expect, the way MNIST was made:
// white ink on black, the ink scaled into a 20×20 box keeping its aspect ratio,
// then placed so its center of mass sits at the center of the 28×28 field.
// Pure TS on typed arrays: it runs in Node and in the renderer, on every stroke.

export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  /** width*height*channels bytes, row-major */
  data: Uint8Array | Uint8ClampedArray;
}

export interface Preprocessed {
  /** 784 values 0..1, white ink on black */
  input: Float32Array;
  /** the background was light (Paint's black on white) and was inverted */
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

export const SIDE = 28;
const BOX = 20;
/** Ink fainter than this (0..1, after normalising) is noise: JPEG ringing, paper grain. */
const INK_THRESHOLD = 0.15;
/** The ink must differ from the background by at least this much (0..255) to count. */
const MIN_CONTRAST = 40;
const MAX_PIXELS = 64 * 2 ** 20;

/** Gray 0..255 per pixel; a transparent pixel counts as background (-1 until it is known). */
function toGray(image: RawImage): { gray: Float32Array; alpha: Float32Array | null } {
  const { width, height, channels, data } = image;
  const n = width * height;
  const gray = new Float32Array(n);
  const hasAlpha = channels === 2 || channels === 4;
  const alpha = hasAlpha ? new Float32Array(n) : null;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    gray[i] = channels >= 3 ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
    if (alpha) alpha[i] = data[p + channels - 1] / 255;
  }
  return { gray, alpha };
}

/** The background level: the median gray of the image's border (the margin around a digit). */
function borderLevel(gray: Float32Array, width: number, height: number, alpha: Float32Array | null): number {
  const values: number[] = [];
  const take = (i: number) => {
    if (!alpha || alpha[i] > 0.5) values.push(gray[i]);
  };
  for (let x = 0; x < width; x++) {
    take(x);
    take((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y++) {
    take(y * width);
    take(y * width + width - 1);
  }
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[values.length >> 1];
}

/** Ink strength 0..1 per pixel: distance from the background toward the ink's extreme. */
function inkMap(image: RawImage, name: string): { ink: Float32Array; inverted: boolean } {
  const { width, height } = image;
  const { gray, alpha } = toGray(image);
  const background = borderLevel(gray, width, height, alpha);
  if (Number.isNaN(background)) {
    // A transparent border (a canvas drawing): the ink is whatever is opaque.
    const ink = new Float32Array(alpha!.length);
    for (let i = 0; i < ink.length; i++) ink[i] = alpha![i];
    let sum = 0;
    let weight = 0;
    for (let i = 0; i < ink.length; i++) {
      sum += gray[i] * alpha![i];
      weight += alpha![i];
    }
    if (weight === 0) throw new BlankImageError(name);
    return { ink, inverted: sum / weight < 128 };
  }
  const inverted = background >= 128;
  // The ink's level: the extreme on the far side of the background.
  let extreme = background;
  for (let i = 0; i < gray.length; i++) {
    const g = alpha ? gray[i] * alpha[i] + background * (1 - alpha[i]) : gray[i];
    gray[i] = g;
    extreme = inverted ? Math.min(extreme, g) : Math.max(extreme, g);
  }
  const contrast = Math.abs(extreme - background);
  if (contrast < MIN_CONTRAST) throw new BlankImageError(name);
  const ink = new Float32Array(gray.length);
  for (let i = 0; i < gray.length; i++) {
    const v = (inverted ? background - gray[i] : gray[i] - background) / contrast;
    ink[i] = v < INK_THRESHOLD ? 0 : Math.min(1, v);
  }
  return { ink, inverted };
}

function inkBox(ink: Float32Array, width: number, height: number): Preprocessed['box'] | null {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (ink[row + x] > 0) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/**
 * Area-averaging resample of the box into outW×outH: each output pixel is the mean of the
 * source area it covers (the anti-aliased gray MNIST's digits have).
 */
function resampleBox(ink: Float32Array, width: number, box: Preprocessed['box'], outW: number, outH: number): Float32Array {
  const out = new Float32Array(outW * outH);
  const sx = box.width / outW;
  const sy = box.height / outH;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = box.y + oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = box.x + ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0) continue;
        const row = y * width;
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx > 0) sum += ink[row + x] * wx * wy;
        }
      }
      out[oy * outW + ox] = sum / (sx * sy);
    }
  }
  return out;
}

function checkImage(image: RawImage, name: string): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${name}: the image is ${width}×${height}; it needs at least one pixel`);
  }
  if (width * height > MAX_PIXELS) throw new Error(`${name}: ${width}×${height} is more than ${MAX_PIXELS} pixels`);
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`${name}: ${channels} channels; 1 to 4 are supported`);
  if (data.length !== width * height * channels) {
    throw new Error(`${name}: ${data.length} bytes of pixels for a ${width}×${height}×${channels} image (${width * height * channels} expected)`);
  }
}

/** Turns a digit image into MNIST's 28×28 input; a blank image is an error, not a guess. */
export function toMnistInput(image: RawImage, name = 'image'): Preprocessed {
  checkImage(image, name);
  const { width, height } = image;
  const { ink, inverted } = inkMap(image, name);
  const box = inkBox(ink, width, height);
  if (!box) throw new BlankImageError(name);
  // Longer side into 20 px, aspect kept (at least 1 px on the shorter side).
  const scale = BOX / Math.max(box.width, box.height);
  const outW = Math.max(1, Math.round(box.width * scale));
  const outH = Math.max(1, Math.round(box.height * scale));
  const digit = resampleBox(ink, width, box, outW, outH);
  // Center of mass of the scaled digit, then shift it to (14, 14).
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = digit[y * outW + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  if (mass === 0) throw new BlankImageError(name);
  const left = Math.round(SIDE / 2 - cx / mass);
  const top = Math.round(SIDE / 2 - cy / mass);
  const input = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < outH; y++) {
    const ty = y + top;
    if (ty < 0 || ty >= SIDE) continue;
    for (let x = 0; x < outW; x++) {
      const tx = x + left;
      if (tx >= 0 && tx < SIDE) input[ty * SIDE + tx] = Math.min(1, digit[y * outW + x]);
    }
  }
  return { input, inverted, box };
}
