// Messages between a training run (the coordinator) and its replica worker thread.
import type { ModelSpec } from '../shared/model-spec';

export type ToReplica =
  /** weights and grads are Float32Arrays over SharedArrayBuffers, laid out by flat-weights.ts; index 1…N-1 tells the replicas apart */
  | { type: 'init'; spec: ModelSpec; backend: 'wasm' | 'cpu'; seed?: number; index: number; weights: Float32Array; grads: Float32Array }
  /** gradients of the loss on these rows, at the weights in shared memory, into grads */
  | { type: 'step'; x: Float32Array; y: Float32Array; size: number }
  | { type: 'predict'; x: Float32Array; size: number };

export type FromReplica =
  | { type: 'ready' }
  /** mean loss and accuracy over the rows of the step; the replica's milliseconds reading weights, computing, writing gradients */
  | { type: 'stepped'; loss: number; acc: number; readMs: number; computeMs: number; writeMs: number }
  | { type: 'predicted'; probabilities: Float32Array }
  | { type: 'failed'; message: string };
