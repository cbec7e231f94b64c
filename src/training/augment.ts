// Augments a batch in place: each 28×28 image rotated, shifted and zoomed about its centre
// (bilinear, zero outside, as Keras's layers fill by default), then its strokes thickened or
// thinned. The draws come from the run's seeded source, so a seeded run repeats exactly.
import type { Augmentation } from '../shared/augment';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CENTER = (SIDE - 1) / 2;
/** The image sits in a zero frame this wide, so the loops need no edge tests. */
const FRAME = 2;
const PADDED = SIDE + 2 * FRAME;

/** Copies 28×28 image `o` of `x` into the middle of the zeroed padded buffer. */
function pad(x: Float32Array, o: number, padded: Float32Array): void {
  for (let y = 0, i = o; y < SIDE; y++) {
    for (let c = 0, p = (y + FRAME) * PADDED + FRAME; c < SIDE; c++) padded[p++] = x[i++];
  }
}

/** Rows and columns [left, right] × [top, bottom] of a 28×28 image. */
interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The box of image `o`'s ink, or null for a blank image. */
function inkBox(x: Float32Array, o: number): Box | null {
  let left = SIDE;
  let right = -1;
  let top = SIDE;
  let bottom = -1;
  for (let y = 0, i = o; y < SIDE; y++) {
    for (let c = 0; c < SIDE; c++, i++) {
      if (x[i] > 0) {
        if (c < left) left = c;
        if (c > right) right = c;
        if (y < top) top = y;
        bottom = y;
      }
    }
  }
  return right < 0 ? null : { left, top, right, bottom };
}

/**
 * Samples the padded source at the affine map of each output pixel in `box`:
 * (sx, sy) = (ax*x + bx*y + cx, ay*x + by*y + cy). Pixels outside the box stay as they are (zero).
 */
function warp(padded: Float32Array, out: Float32Array, o: number, box: Box, ax: number, bx: number, cx: number, ay: number, by: number, cy: number): void {
  const limit = PADDED - 1;
  for (let y = box.top; y <= box.bottom; y++) {
    let gx = ax * box.left + bx * y + cx + FRAME;
    let gy = ay * box.left + by * y + cy + FRAME;
    for (let x = box.left, i = o + y * SIDE + box.left; x <= box.right; x++, i++, gx += ax, gy += ay) {
      if (gx < 0 || gy < 0 || gx >= limit || gy >= limit) {
        out[i] = 0;
        continue;
      }
      const x0 = gx | 0;
      const y0 = gy | 0;
      const fx = gx - x0;
      const fy = gy - y0;
      const p = y0 * PADDED + x0;
      const top = padded[p] + (padded[p + 1] - padded[p]) * fx;
      const bottom = padded[p + PADDED] + (padded[p + PADDED + 1] - padded[p + PADDED]) * fx;
      out[i] = top + (bottom - top) * fy;
    }
  }
}

// Without branches: a pixel's neighbours are as likely darker as lighter, so branches mispredict.
const max2 = (a: number, b: number) => (a + b + Math.abs(a - b)) * 0.5;
const min2 = (a: number, b: number) => (a + b - Math.abs(a - b)) * 0.5;
const max3 = (a: number, b: number, c: number) => max2(max2(a, b), c);
const min3 = (a: number, b: number, c: number) => min2(min2(a, b), c);

/**
 * Moves each pixel toward its 3×3 maximum (thicker) or minimum (thinner), taken as a row pass
 * then a column pass over the padded copy, on the rows that hold ink. The choice is a flag tested
 * in the loop, not a function passed in: V8 inlines max3 and min3 only where they are named
 * (a passed function made the whole augmentation 1.6× slower here).
 */
function restroke(x: Float32Array, o: number, padded: Float32Array, rows: Float32Array, box: Box, share: number, thick: boolean): void {
  const from = Math.max(0, box.top - 1);
  const to = Math.min(SIDE - 1, box.bottom + 1);
  const left = Math.max(0, box.left - 1);
  const right = Math.min(SIDE - 1, box.right + 1);
  for (let y = from - 1 + FRAME; y <= to + 1 + FRAME; y++) {
    for (let c = left, p = y * PADDED + FRAME + left; c <= right; c++, p++) rows[p] = thick ? max3(padded[p - 1], padded[p], padded[p + 1]) : min3(padded[p - 1], padded[p], padded[p + 1]);
  }
  for (let y = from; y <= to; y++) {
    for (let c = left, p = (y + FRAME) * PADDED + FRAME + left, i = o + y * SIDE + left; c <= right; c++, p++, i++) {
      x[i] += share * ((thick ? max3(rows[p - PADDED], rows[p], rows[p + PADDED]) : min3(rows[p - PADDED], rows[p], rows[p + PADDED])) - x[i]);
    }
  }
}

/** Where the source box lands after the forward map p = c + t + scale·R(angle)(q − c), widened by a pixel for the bilinear taps. */
function landing(box: Box, cos: number, sin: number, scale: number, tx: number, ty: number): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const qx of [box.left - 1, box.right + 1]) {
    for (const qy of [box.top - 1, box.bottom + 1]) {
      const dx = qx - CENTER;
      const dy = qy - CENTER;
      const px = CENTER + tx + scale * (cos * dx - sin * dy);
      const py = CENTER + ty + scale * (sin * dx + cos * dy);
      minX = Math.min(minX, px);
      maxX = Math.max(maxX, px);
      minY = Math.min(minY, py);
      maxY = Math.max(maxY, py);
    }
  }
  const clip = (v: number) => Math.min(SIDE - 1, Math.max(0, v));
  return { left: clip(Math.floor(minX) - 1), top: clip(Math.floor(minY) - 1), right: clip(Math.ceil(maxX) + 1), bottom: clip(Math.ceil(maxY) + 1) };
}

export class Augmenter {
  private readonly padded = new Float32Array(PADDED * PADDED);
  private readonly rows = new Float32Array(PADDED * PADDED);

  constructor(
    private readonly augmentation: Augmentation,
    private readonly uniform: () => number,
  ) {}

  /** Augments the first `count` images of the flat batch `x` in place. */
  apply(x: Float32Array, count: number): void {
    const { rotation, translation, zoom, thickness } = this.augmentation;
    const between = (range: number) => (2 * this.uniform() - 1) * range;
    for (let i = 0, o = 0; i < count; i++, o += PIXELS) {
      const angle = between(rotation) * 2 * Math.PI;
      const scale = 1 + between(zoom);
      const tx = between(translation) * SIDE;
      const ty = between(translation) * SIDE;
      const stroke = between(thickness);
      const ink = inkBox(x, o);
      if (!ink) continue;
      pad(x, o, this.padded);
      x.fill(0, o, o + PIXELS);
      const box = landing(ink, Math.cos(angle), Math.sin(angle), scale, tx, ty);
      // Output pixel p shows source pixel c + R(-angle)(p - c - t) / scale.
      const cos = Math.cos(angle) / scale;
      const sin = Math.sin(angle) / scale;
      const px = -CENTER - tx;
      const py = -CENTER - ty;
      warp(this.padded, x, o, box, cos, sin, cos * px + sin * py + CENTER, -sin, cos, -sin * px + cos * py + CENTER);
      if (stroke !== 0) {
        pad(x, o, this.padded);
        restroke(x, o, this.padded, this.rows, box, Math.abs(stroke), stroke > 0);
      }
    }
  }
}
