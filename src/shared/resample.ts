// Area-averaging taps along one axis: output pixel o covers source [o*step, (o+1)*step),
// and each source pixel contributes by how much of it lies inside (the anti-aliased gray
// of MNIST's digits). The last output pixel may be only partly covered by the source.

export interface Taps {
  /** output length: ceil(length / step) */
  size: number;
  /** taps per output pixel in `weights` */
  stride: number;
  /** first source pixel of each output pixel */
  first: Int32Array;
  /** source pixels used by each output pixel */
  count: Int32Array;
  /** overlap of each source pixel, divided by step so the weights of a full output pixel sum to 1 */
  weights: Float32Array;
}

/** Float slack, so a length that is an exact multiple of step does not grow a sliver pixel. */
const EPSILON = 1e-9;

export function areaTaps(length: number, step: number): Taps {
  const size = Math.max(1, Math.ceil(length / step - EPSILON));
  const stride = Math.ceil(step) + 1;
  const first = new Int32Array(size);
  const count = new Int32Array(size);
  const weights = new Float32Array(size * stride);
  for (let o = 0; o < size; o++) {
    const start = o * step;
    const end = Math.min(length, start + step);
    const from = Math.floor(start);
    let n = 0;
    for (let s = from; s < end && n < stride; s++, n++) {
      weights[o * stride + n] = (Math.min(s + 1, end) - Math.max(s, start)) / step;
    }
    first[o] = from;
    count[o] = n;
  }
  return { size, stride, first, count, weights };
}
