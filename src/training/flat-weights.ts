// A model's trainable weights laid end to end in one Float32Array (shared between replicas):
// the same spec builds the same weights in the same order, so offsets agree across threads.
import * as tf from '@tensorflow/tfjs';
import { trainableVariables } from './gradients';

export interface Layout {
  shapes: number[][];
  offsets: number[];
  /** floats in all */
  total: number;
}

export function layoutOf(model: tf.LayersModel): Layout {
  const shapes = trainableVariables(model).map((variable) => variable.shape);
  const offsets: number[] = [];
  let total = 0;
  for (const shape of shapes) {
    offsets.push(total);
    total += tf.util.sizeFromShape(shape);
  }
  return { shapes, offsets, total };
}

export function part(flat: Float32Array, layout: Layout, i: number): Float32Array {
  return flat.subarray(layout.offsets[i], layout.offsets[i] + tf.util.sizeFromShape(layout.shapes[i]));
}

/** Copies each tensor's values into its place in `flat`. */
export function writeFlat(tensors: tf.Tensor[], layout: Layout, flat: Float32Array): void {
  tensors.forEach((tensor, i) => part(flat, layout, i).set(tensor.dataSync() as Float32Array));
}

/** Sets the model's trainable weights from `flat`. */
export function readWeights(model: tf.LayersModel, layout: Layout, flat: Float32Array): void {
  trainableVariables(model).forEach((variable, i) => {
    tf.tidy(() => variable.assign(tf.tensor(part(flat, layout, i), layout.shapes[i])));
  });
}

/** A Float32Array over memory that worker threads share without copying. */
export function sharedFloats(count: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(count * Float32Array.BYTES_PER_ELEMENT));
}
