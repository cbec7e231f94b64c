// The first convolution's feature maps as they cross the contract (float32, base64, map after
// map) and as they are drawn: each map scaled to its own range, so a weak filter still shows its pattern.
import type { FeatureMaps } from '../../../shared/contract';
import { decodeBase64 } from './pixels';

/** The maps' values, channels×height×width. */
export function mapValues(maps: FeatureMaps): Float32Array {
  const bytes = decodeBase64(maps.values);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** Columns for a square-ish grid of `count` maps: 16 → 4, 36 → 6. */
export function gridColumns(count: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(count)));
}

/**
 * Paints map `channel` onto a canvas of its size: the map's lowest value as background, its
 * highest as full ink (dark on light when `inkOnLight`, as the 28×28 view draws digits).
 */
export function paintMap(canvas: HTMLCanvasElement, values: Float32Array, maps: FeatureMaps, channel: number, inkOnLight: boolean): void {
  const { width, height } = maps;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const size = width * height;
  const plane = values.subarray(channel * size, (channel + 1) * size);
  let low = Infinity;
  let high = -Infinity;
  for (const v of plane) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  const range = high > low ? high - low : 1;
  const image = context.createImageData(width, height);
  for (let i = 0; i < size; i++) {
    const level = Math.round(((plane[i] - low) / range) * 255);
    const gray = inkOnLight ? 255 - level : level;
    image.data.set([gray, gray, gray, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}
