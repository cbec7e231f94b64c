// How a run takes one optimizer step: on this thread alone, or data-parallel with N-1 replica
// workers that each compute the gradients of a share of each batch (wasm runs one thread per
// isolate, so more isolates are how it uses more cores).
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, type ModelSpec } from '../shared/model-spec';
import { IMAGE_PIXELS as PIXELS } from '../shared/limits';
import { applyGradients, computeGradients, trainableVariables } from './gradients';
import { layoutOf, part, sharedFloats, writeFlat, type Layout } from './flat-weights';
import { modelPredict, type Predict } from './evaluate';
import { ReplicaHandle } from './replica';
import type { FromReplica } from './replica-messages';
import { splitsOverReplicas } from './workers-plan';

/** A batch as the pipeline fills it: x flat (size*784), y one-hot (size*10). */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  size: number;
}

/** Where this thread's time per step went, summed over the steps (the bench's cost model reads it). */
export interface StepTiming {
  steps: number;
  /** rows this thread computed gradients of */
  ownSamples: number;
  /** computing this thread's share's gradients */
  computeMs: number;
  /** waiting for the replicas after that */
  waitMs: number;
  /** the rest: gradients to flat memory and summed, the optimizer step, weights to shared memory */
  syncMs: number;
  /** the replicas' (summed over replicas): rows, computing, and reading weights plus writing gradients */
  replicaSamples: number;
  replicaComputeMs: number;
  replicaSyncMs: number;
}

export interface Stepper {
  readonly workers: number;
  readonly timing: StepTiming;
  /** one optimizer step on the batch; the batch's mean loss and accuracy (Keras's) */
  trainBatch(batch: Batch): Promise<{ loss: number; acc: number }>;
  /** class probabilities at the current weights */
  predict: Predict;
  dispose(): Promise<void>;
}

/**
 * How `size` rows split over `workers` threads, the first share this thread's: as even as
 * whole rows allow, the larger shares first. A pure function of its arguments, so a seeded run
 * splits (and so rounds) every batch the same way.
 */
export function shares(size: number, workers: number): number[] {
  const base = Math.floor(size / workers);
  const extra = size % workers;
  return Array.from({ length: workers }, (_, k) => base + (k < extra ? 1 : 0));
}

function tensors(batch: Batch, from: number, to: number, inputShape: number[]): [tf.Tensor, tf.Tensor] {
  const size = to - from;
  return [
    tf.tensor(batch.x.subarray(from * PIXELS, to * PIXELS), [size, ...inputShape]),
    tf.tensor2d(batch.y.subarray(from * NUM_CLASSES, to * NUM_CLASSES), [size, NUM_CLASSES]),
  ];
}

const noTime = (): StepTiming => ({ steps: 0, ownSamples: 0, computeMs: 0, waitMs: 0, syncMs: 0, replicaSamples: 0, replicaComputeMs: 0, replicaSyncMs: 0 });

class LocalStepper implements Stepper {
  readonly workers = 1;
  readonly predict: Predict;
  readonly timing = noTime();

  constructor(
    private readonly model: tf.LayersModel,
    private readonly inputShape: number[],
  ) {
    this.predict = modelPredict(model, inputShape);
  }

  async trainBatch(batch: Batch): Promise<{ loss: number; acc: number }> {
    const t0 = performance.now();
    const [x, y] = tensors(batch, 0, batch.size, this.inputShape);
    const { grads, loss, acc } = await computeGradients(this.model, x, y);
    tf.dispose([x, y]);
    const t1 = performance.now();
    applyGradients(this.model, grads);
    const { timing } = this;
    timing.steps++;
    timing.ownSamples += batch.size;
    timing.computeMs += t1 - t0;
    timing.syncMs += performance.now() - t1;
    return { loss, acc };
  }

  async dispose(): Promise<void> {}
}

class ParallelStepper implements Stepper {
  readonly timing = noTime();

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly inputShape: number[],
    private readonly replicas: ReplicaHandle[],
    private readonly layout: Layout,
    private readonly weights: Float32Array,
    /** replica k's gradients, in shared memory it writes into */
    private readonly grads: Float32Array[],
    /** the batch's gradient, flat: this thread's share's, then each replica's added */
    private readonly sum: Float32Array = new Float32Array(layout.total),
  ) {}

  get workers(): number {
    return this.replicas.length + 1;
  }

  static async start(model: tf.LayersModel, spec: ModelSpec, backend: 'wasm' | 'cpu', seed: number | undefined, inputShape: number[], workers: number): Promise<ParallelStepper> {
    const layout = layoutOf(model);
    const weights = sharedFloats(layout.total);
    const all = sharedFloats(layout.total * (workers - 1));
    const grads = Array.from({ length: workers - 1 }, (_, k) => all.subarray(k * layout.total, (k + 1) * layout.total));
    writeFlat(trainableVariables(model), layout, weights);
    const replicas: ReplicaHandle[] = [];
    try {
      for (let k = 0; k < workers - 1; k++) replicas.push(new ReplicaHandle());
      await Promise.all(replicas.map((replica, k) => replica.request({ type: 'init', spec, backend, seed, index: k + 1, weights, grads: grads[k] }, 'ready')));
    } catch (error) {
      await Promise.all(replicas.map((replica) => replica.terminate()));
      throw error;
    }
    return new ParallelStepper(model, inputShape, replicas, layout, weights, grads);
  }

  async trainBatch(batch: Batch): Promise<{ loss: number; acc: number }> {
    const { size } = batch;
    const split = shares(size, this.workers);
    const own = split[0];
    // The replicas get their rows first, and compute while this thread computes its own.
    const replied: (Promise<Extract<FromReplica, { type: 'stepped' }>> | null)[] = [];
    let from = own;
    this.replicas.forEach((replica, k) => {
      const rows = split[k + 1];
      const to = from + rows;
      // slice() copies, so the pipeline can refill its buffers while the replica works.
      const x = batch.x.slice(from * PIXELS, to * PIXELS);
      const y = batch.y.slice(from * NUM_CLASSES, to * NUM_CLASSES);
      const reply = rows > 0 ? replica.request({ type: 'step', x, y, size: rows }, 'stepped', [x.buffer, y.buffer]) : null;
      reply?.catch(() => {}); // awaited below, after this thread's share
      replied.push(reply);
      from = to;
    });
    const t0 = performance.now();
    const [ownX, ownY] = tensors(batch, 0, own, this.inputShape);
    const mine = await computeGradients(this.model, ownX, ownY);
    tf.dispose([ownX, ownY]);
    const t1 = performance.now();
    let waitMs = 0;
    const { sum, layout } = this;
    // Before waiting, while replicas may still be at work: this thread's share, weighted, in one pass.
    const a = own / size;
    mine.grads.forEach((grad, j) => {
      const values = grad.dataSync() as Float32Array;
      const at = layout.offsets[j];
      for (let i = 0; i < values.length; i++) sum[at + i] = a * values[i];
    });
    tf.dispose(mine.grads);
    let loss = a * mine.loss;
    let acc = a * mine.acc;
    // The gradient of the batch's mean loss is the share-weighted sum of the shares' gradients,
    // added in a fixed order (replica 1, 2, …): a seeded run repeats exactly for a given N.
    for (let k = 0; k < this.replicas.length; k++) {
      const reply = replied[k];
      if (!reply) continue;
      const waitFrom = performance.now();
      const theirs = await reply;
      waitMs += performance.now() - waitFrom;
      this.timing.replicaSamples += split[k + 1];
      this.timing.replicaComputeMs += theirs.computeMs;
      this.timing.replicaSyncMs += theirs.readMs + theirs.writeMs;
      const b = split[k + 1] / size;
      const grads = this.grads[k];
      for (let i = 0; i < sum.length; i++) sum[i] += b * grads[i];
      loss += b * theirs.loss;
      acc += b * theirs.acc;
    }
    applyGradients(this.model, layout.shapes.map((shape, i) => tf.tensor(part(sum, layout, i), shape)));
    writeFlat(trainableVariables(this.model), layout, this.weights);
    const { timing } = this;
    timing.steps++;
    timing.ownSamples += own;
    timing.computeMs += t1 - t0;
    timing.waitMs += waitMs;
    timing.syncMs += performance.now() - t1 - waitMs;
    return { loss, acc };
  }

  /** Each thread predicts its share of the set, this one the first. */
  predict: Predict = async (images, count, yieldEvery) => {
    const split = shares(count, this.workers);
    const replied: Promise<Float32Array>[] = [];
    let from = split[0];
    this.replicas.forEach((replica, k) => {
      const rows = split[k + 1];
      const x = images.slice(from * PIXELS, (from + rows) * PIXELS);
      const reply = rows > 0 ? replica.request({ type: 'predict', x, size: rows }, 'predicted', [x.buffer]).then((r) => r.probabilities) : Promise.resolve(new Float32Array(0));
      reply.catch(() => {}); // awaited below, after this thread's share (which yields)
      replied.push(reply);
      from += rows;
    });
    const out = new Float32Array(count * NUM_CLASSES);
    out.set(await modelPredict(this.model, this.inputShape)(images.subarray(0, split[0] * PIXELS), split[0], yieldEvery));
    let at = split[0];
    for (let k = 0; k < replied.length; k++) {
      out.set(await replied[k], at * NUM_CLASSES);
      at += split[k + 1];
    }
    return out;
  };

  async dispose(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.terminate()));
  }
}

export interface StepperOptions {
  /** from planWorkers (workers-plan.ts) */
  workers: number;
  backend: string;
  spec: ModelSpec;
  seed?: number;
  inputShape: number[];
}

export async function createStepper(model: tf.LayersModel, options: StepperOptions): Promise<Stepper> {
  const { workers, backend, spec, seed, inputShape } = options;
  if (workers > 1 && splitsOverReplicas(backend)) return ParallelStepper.start(model, spec, backend, seed, inputShape, workers);
  return new LocalStepper(model, inputShape);
}
