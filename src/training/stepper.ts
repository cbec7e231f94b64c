// How a run takes one optimizer step: on this thread alone, or data-parallel with a replica
// worker that computes the gradients of part of each batch (wasm runs one thread per isolate,
// so a second isolate is how it uses a second core).
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { LAYERS, NUM_CLASSES, type ModelSpec } from '../shared/model-spec';
import type { WorkersChoice } from '../shared/training';
import { IMAGE_PIXELS as PIXELS } from '../shared/limits';
import { applyGradients, computeGradients, trainableVariables } from './gradients';
import { layoutOf, part, sharedFloats, writeFlat, type Layout } from './flat-weights';
import { modelPredict, type Predict } from './evaluate';
import { ReplicaHandle } from './replica';

/** A batch as the pipeline fills it: x flat (size*784), y one-hot (size*10). */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  size: number;
}

export interface Stepper {
  readonly workers: 1 | 2;
  /** one optimizer step on the batch; the batch's mean loss and accuracy (Keras's) */
  trainBatch(batch: Batch): Promise<{ loss: number; acc: number }>;
  /** class probabilities at the current weights */
  predict: Predict;
  dispose(): Promise<void>;
}

/**
 * 'auto' splits a batch over two threads only where a step is heavy enough to pay for the
 * weight sync: convolutions and recurrences (cnn-16-36 1,423 vs 862 samples/s here), not a
 * dense-only model (mlp-256 10,755 vs 14,827).
 */
export function resolveWorkers(choice: WorkersChoice | undefined, backend: string, spec: ModelSpec): 1 | 2 {
  if (backend !== 'wasm' && backend !== 'cpu') return 1; // tfjs-node already uses every core
  if (choice === 1 || choice === 2) return choice;
  const heavy = spec.layers.some((layer) => LAYERS[layer.type].kind !== 'core');
  return heavy && availableParallelism() >= 2 ? 2 : 1;
}

/** Why a run trains on fewer threads than asked, if it does. */
export function workersNote(choice: WorkersChoice | undefined, backend: string, workers: number): string | undefined {
  if (choice !== 2 || workers === 2) return undefined;
  return backend === 'wasm' || backend === 'cpu' ? undefined : `--workers 2 does not apply to ${backend}: TensorFlow splits each step over every core itself`;
}

function tensors(batch: Batch, from: number, to: number, inputShape: number[]): [tf.Tensor, tf.Tensor] {
  const size = to - from;
  return [
    tf.tensor(batch.x.subarray(from * PIXELS, to * PIXELS), [size, ...inputShape]),
    tf.tensor2d(batch.y.subarray(from * NUM_CLASSES, to * NUM_CLASSES), [size, NUM_CLASSES]),
  ];
}

class LocalStepper implements Stepper {
  readonly workers = 1;
  readonly predict: Predict;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly inputShape: number[],
  ) {
    this.predict = modelPredict(model, inputShape);
  }

  async trainBatch(batch: Batch): Promise<{ loss: number; acc: number }> {
    const [x, y] = tensors(batch, 0, batch.size, this.inputShape);
    const { grads, loss, acc } = await computeGradients(this.model, x, y);
    tf.dispose([x, y]);
    applyGradients(this.model, grads);
    return { loss, acc };
  }

  async dispose(): Promise<void> {}
}

class ParallelStepper implements Stepper {
  readonly workers = 2;

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly inputShape: number[],
    private readonly replica: ReplicaHandle,
    private readonly layout: Layout,
    private readonly weights: Float32Array,
    private readonly grads: Float32Array,
    /** this thread's gradients, then the mean, flat */
    private readonly mean: Float32Array = new Float32Array(layout.total),
  ) {}

  static async start(model: tf.LayersModel, spec: ModelSpec, backend: 'wasm' | 'cpu', seed: number | undefined, inputShape: number[]): Promise<ParallelStepper> {
    const layout = layoutOf(model);
    const weights = sharedFloats(layout.total);
    const grads = sharedFloats(layout.total);
    writeFlat(trainableVariables(model), layout, weights);
    const replica = new ReplicaHandle();
    try {
      await replica.request({ type: 'init', spec, backend, seed, weights, grads }, 'ready');
    } catch (error) {
      await replica.terminate();
      throw error;
    }
    return new ParallelStepper(model, inputShape, replica, layout, weights, grads);
  }

  async trainBatch(batch: Batch): Promise<{ loss: number; acc: number }> {
    const { size } = batch;
    const own = Math.ceil(size / 2);
    const theirs = size - own;
    // slice() copies, so the pipeline can refill its buffers while the replica works.
    const x = batch.x.slice(own * PIXELS, size * PIXELS);
    const y = batch.y.slice(own * NUM_CLASSES, size * NUM_CLASSES);
    const replied = theirs > 0 ? this.replica.request({ type: 'step', x, y, size: theirs }, 'stepped', [x.buffer, y.buffer]) : null;
    const [ownX, ownY] = tensors(batch, 0, own, this.inputShape);
    const mine = await computeGradients(this.model, ownX, ownY);
    tf.dispose([ownX, ownY]);
    let result = { loss: mine.loss, acc: mine.acc };
    let grads = mine.grads;
    if (replied) {
      const other = await replied;
      const a = own / size;
      const b = theirs / size;
      // The mean in JS on the flat arrays: cheaper than three tf ops per weight tensor.
      const { mean, layout } = this;
      writeFlat(mine.grads, layout, mean);
      tf.dispose(mine.grads);
      for (let i = 0; i < mean.length; i++) mean[i] = a * mean[i] + b * this.grads[i];
      grads = layout.shapes.map((shape, i) => tf.tensor(part(mean, layout, i), shape));
      result = { loss: a * mine.loss + b * other.loss, acc: a * mine.acc + b * other.acc };
    }
    applyGradients(this.model, grads);
    writeFlat(trainableVariables(this.model), this.layout, this.weights);
    return result;
  }

  /** This thread predicts the first half while the replica predicts the second. */
  predict: Predict = async (images, count, yieldEvery) => {
    const own = Math.ceil(count / 2);
    const theirs = images.slice(own * PIXELS, count * PIXELS);
    const replied = this.replica.request({ type: 'predict', x: theirs, size: count - own }, 'predicted', [theirs.buffer]);
    replied.catch(() => {}); // awaited below, after this thread's half (which yields)
    const out = new Float32Array(count * NUM_CLASSES);
    out.set(await modelPredict(this.model, this.inputShape)(images.subarray(0, own * PIXELS), own, yieldEvery));
    out.set((await replied).probabilities, own * NUM_CLASSES);
    return out;
  };

  async dispose(): Promise<void> {
    await this.replica.terminate();
  }
}

export interface StepperOptions {
  workers: 1 | 2;
  backend: string;
  spec: ModelSpec;
  seed?: number;
  inputShape: number[];
}

export async function createStepper(model: tf.LayersModel, options: StepperOptions): Promise<Stepper> {
  const { workers, backend, spec, seed, inputShape } = options;
  if (workers === 2 && (backend === 'wasm' || backend === 'cpu')) return ParallelStepper.start(model, spec, backend, seed, inputShape);
  return new LocalStepper(model, inputShape);
}
