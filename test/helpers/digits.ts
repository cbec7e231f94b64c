// Real MNIST test digits turned into the images users make: scaled up, black on white, off-center.
import type { RawImage } from '../../src/shared/preprocess';

/** MNIST digit `index` (28×28 bytes, white on black) drawn into a size×size RGBA image as Paint would save it. */
export function paintStyle(pixels: Uint8Array, index: number, size = 280, offset = { x: 0, y: 0 }, scale = size / 28): RawImage {
  const digit = pixels.subarray(index * 784, (index + 1) * 784);
  const data = new Uint8Array(size * size * 4).fill(255);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // bilinear sample of the 28×28 digit
      const sx = (x - offset.x) / scale - 0.5;
      const sy = (y - offset.y) / scale - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx > 27 || yy > 27 ? 0 : digit[yy * 28 + xx]);
      const v = at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy) + at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy;
      const ink = 255 - Math.round(v);
      const p = (y * size + x) * 4;
      data[p] = data[p + 1] = data[p + 2] = ink;
    }
  }
  return { width: size, height: size, channels: 4, data };
}

export function mnistImage(pixels: Uint8Array, index: number): RawImage {
  return { width: 28, height: 28, channels: 1, data: pixels.slice(index * 784, (index + 1) * 784) };
}
