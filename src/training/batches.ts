// The data pipeline: one Float32Array for all images, a shuffled index order per epoch,
// and batches copied into two reused buffers (no per-batch JS arrays).
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../shared/model-spec';

import { IMAGE_PIXELS as PIXELS } from '../shared/limits';

export interface Examples {
  count: number;
  /** count*784 floats, 0..1 */
  images: Float32Array;
  labels: Uint8Array;
}

/** Rows [start, end) of a set, as views (no copy). */
export function slice(examples: Examples, start: number, end: number): Examples {
  return {
    count: end - start,
    images: examples.images.subarray(start * PIXELS, end * PIXELS),
    labels: examples.labels.subarray(start, end),
  };
}

/** Fisher–Yates over 0..count-1 with the given uniform source. */
export function shuffledOrder(count: number, uniform: () => number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export class BatchMaker {
  private readonly x: Float32Array;
  private readonly y: Float32Array;

  constructor(
    private readonly examples: Examples,
    readonly batchSize: number,
    /** the model's input shape without the batch axis: [784], [28, 28] or [28, 28, 1] */
    private readonly inputShape: number[],
    /** where the images go, when another thread must see them (imageBytes long) */
    shared?: SharedArrayBuffer,
  ) {
    this.x = shared ? new Float32Array(shared, 0, batchSize * PIXELS) : new Float32Array(batchSize * PIXELS);
    this.y = new Float32Array(batchSize * NUM_CLASSES);
  }

  /** The bytes of a batch's images. */
  static imageBytes(batchSize: number): number {
    return batchSize * PIXELS * Float32Array.BYTES_PER_ELEMENT;
  }

  batches(): number {
    return Math.ceil(this.examples.count / this.batchSize);
  }

  /** Batch `index` of an epoch in `order` as views of the reused buffers: x flat, y one-hot. */
  fill(order: Uint32Array, index: number): { x: Float32Array; y: Float32Array; size: number } {
    const start = index * this.batchSize;
    const size = Math.min(this.batchSize, order.length - start);
    const { images, labels } = this.examples;
    this.y.fill(0);
    for (let b = 0; b < size; b++) {
      const row = order[start + b];
      this.x.set(images.subarray(row * PIXELS, (row + 1) * PIXELS), b * PIXELS);
      this.y[b * NUM_CLASSES + labels[row]] = 1;
    }
    return { x: this.x.subarray(0, size * PIXELS), y: this.y.subarray(0, size * NUM_CLASSES), size };
  }

  /** Batch `index` of an epoch in `order`: x shaped for the model, y one-hot. The caller disposes both. */
  batch(order: Uint32Array, index: number): { x: tf.Tensor; y: tf.Tensor; size: number } {
    const { x, y, size } = this.fill(order, index);
    // tf.tensor copies the values, so the buffers can be reused for the next batch.
    return { x: tf.tensor(x, [size, ...this.inputShape]), y: tf.tensor2d(y, [size, NUM_CLASSES]), size };
  }
}
