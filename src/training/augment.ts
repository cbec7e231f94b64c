// Augments a batch in place: each 28×28 image rotated, shifted and zoomed about its centre
// (bilinear, zero outside, as Keras's layers fill by default), then its strokes thickened or
// thinned. The draws come from the run's seeded source, so a seeded run repeats exactly.
import type { Augmentation } from '../shared/augment';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CENTER = (SIDE - 1) / 2;

/** Samples `source` at the affine map of each output pixel: (sx, sy) = (ax*x + bx*y + cx, ay*x + by*y + cy). */
function warp(source: Float32Array, out: Float32Array, o: number, ax: number, bx: number, cx: number, ay: number, by: number, cy: number): void {
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const sx = ax * x + bx * y + cx;
      const sy = ay * x + by * y + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      let v = 0;
      if (x0 >= -1 && y0 >= -1 && x0 < SIDE && y0 < SIDE) {
        const fx = sx - x0;
        const fy = sy - y0;
        const inX0 = x0 >= 0;
        const inX1 = x0 + 1 < SIDE;
        const top = y0 >= 0 ? y0 * SIDE : -1;
        const bottom = y0 + 1 < SIDE ? (y0 + 1) * SIDE : -1;
        const a = top >= 0 && inX0 ? source[top + x0] : 0;
        const b = top >= 0 && inX1 ? source[top + x0 + 1] : 0;
        const c = bottom >= 0 && inX0 ? source[bottom + x0] : 0;
        const d = bottom >= 0 && inX1 ? source[bottom + x0 + 1] : 0;
        v = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
      }
      out[o + y * SIDE + x] = v;
    }
  }
}

/** Moves each pixel toward its 3×3 maximum (amount > 0, thicker) or minimum (amount < 0, thinner). */
function thicken(image: Float32Array, o: number, scratch: Float32Array, amount: number): void {
  scratch.set(image.subarray(o, o + PIXELS));
  const grow = amount > 0;
  const share = Math.abs(amount);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let m = scratch[y * SIDE + x];
      for (let dy = y > 0 ? -1 : 0; dy <= (y < SIDE - 1 ? 1 : 0); dy++) {
        for (let dx = x > 0 ? -1 : 0; dx <= (x < SIDE - 1 ? 1 : 0); dx++) {
          const v = scratch[(y + dy) * SIDE + x + dx];
          m = grow ? (v > m ? v : m) : v < m ? v : m;
        }
      }
      const v = scratch[y * SIDE + x];
      image[o + y * SIDE + x] = v + share * (m - v);
    }
  }
}

export class Augmenter {
  private readonly source = new Float32Array(PIXELS);

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
      this.source.set(x.subarray(o, o + PIXELS));
      // Output pixel p shows source pixel c + R(-angle)(p - c - t) / scale.
      const cos = Math.cos(angle) / scale;
      const sin = Math.sin(angle) / scale;
      const px = -CENTER - tx;
      const py = -CENTER - ty;
      warp(this.source, x, o, cos, sin, cos * px + sin * py + CENTER, -sin, cos, -sin * px + cos * py + CENTER);
      if (stroke !== 0) thicken(x, o, this.source, stroke);
    }
  }
}
