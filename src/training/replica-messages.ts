// Messages between a training run (the coordinator) and its replica worker thread.
import type { ModelSpec } from '../shared/model-spec';

export type ToReplica =
  /** weights and grads are Float32Arrays over SharedArrayBuffers, laid out by flat-weights.ts */
  | { type: 'init'; spec: ModelSpec; backend: 'wasm' | 'cpu'; seed?: number; weights: Float32Array; grads: Float32Array }
  /** gradients of the loss on these rows, at the weights in shared memory, into grads */
  | { type: 'step'; x: Float32Array; y: Float32Array; size: number }
  | { type: 'predict'; x: Float32Array; size: number };

export type FromReplica =
  | { type: 'ready' }
  /** mean loss and accuracy over the rows of the step */
  | { type: 'stepped'; loss: number; acc: number }
  | { type: 'predicted'; probabilities: Float32Array }
  | { type: 'failed'; message: string };
