// How thick a digit's strokes are, in the 20×20 box's pixels, and widening strokes thinner than
// MNIST's. MNIST's digits were written with pens on paper and scanned; a 1-pixel Paint line on a
// 28×28 canvas, or a fine pen on a big canvas (a 12-pixel pen around a 340-pixel digit), comes
// out thinner than nearly all of them, outside what a model trained on MNIST has seen.

/**
 * MNIST's stroke widths by `strokeWidth`, in pixels, measured on its 60,000 training images: one
 * in a thousand is thinner than `thin`, half are thinner than `typical` (test/stroke.test.ts
 * measures them again). A digit thinner than `thin` is widened to `typical`.
 */
export const MNIST_STROKE = { thin: 1.28, typical: 2.36 };

/**
 * The mean stroke width of gray ink (0..1) on a w×h grid: twice the ink's mass over its outline's
 * length, the outline measured as the total variation of the ink (a stroke of length L and width
 * W holds L·W of ink and has two edges of L each). Anti-aliased gray counts by its share, so no
 * threshold is needed. 0 for an empty grid.
 */
export function strokeWidth(ink: Float32Array, w: number, h: number): number {
  let mass = 0;
  let outline = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = ink[y * w + x];
      mass += v;
      const dx = (x + 1 < w ? ink[y * w + x + 1] : 0) - v;
      const dy = (y + 1 < h ? ink[(y + 1) * w + x] : 0) - v;
      outline += Math.sqrt(dx * dx + dy * dy);
    }
  }
  // the ink's left and top edges: the differences above start inside the grid
  for (let y = 0; y < h; y++) outline += ink[y * w];
  for (let x = 0; x < w; x++) outline += ink[x];
  return outline > 0 ? (2 * mass) / outline : 0;
}

/**
 * Gray dilation by a disk of `radius` pixels with a soft edge: each pixel takes the strongest ink
 * within that distance, a pixel at the disk's rim by the share of it inside, so every stroke
 * widens by the radius on each side, fractions of a pixel included. The grid gains that margin.
 */
export function dilate(ink: Float32Array, w: number, h: number, radius: number): { ink: Float32Array; w: number; h: number } {
  const r = Math.ceil(radius + 0.5);
  const offsets: number[] = [];
  const shares: number[] = [];
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const share = Math.min(1, radius + 0.5 - Math.hypot(dx, dy));
      if (share > 0) {
        offsets.push(dx, dy);
        shares.push(share);
      }
    }
  }
  const W = w + 2 * r;
  const H = h + 2 * r;
  const out = new Float32Array(W * H);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = ink[y * w + x];
      if (v <= 0) continue;
      for (let k = 0; k < shares.length; k++) {
        const o = (y + r + offsets[2 * k + 1]) * W + x + r + offsets[2 * k];
        const u = v * shares[k];
        if (out[o] < u) out[o] = u;
      }
    }
  }
  return { ink: out, w: W, h: H };
}
