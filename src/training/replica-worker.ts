// A replica of the model in a worker thread of its own (wasm runs one thread per isolate):
// computes gradients of part of each batch, and predicts part of a set, at the weights the
// coordinator last wrote to shared memory.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/backend';
import { buildModel } from '../models/build';
import { seededUniform } from '../models/random';
import { INPUT_SHAPES, NUM_CLASSES } from '../shared/model-spec';
import { computeGradients } from './gradients';
import { layoutOf, readWeights, writeFlat, type Layout } from './flat-weights';
import { probabilities } from './evaluate';
import type { FromReplica, ToReplica } from './replica-messages';

/** Dropout draws from Math.random; each replica's stream must differ from the coordinator's and the others'. */
const REPLICA_SEED_SALT = 0x7e91ca;

if (!parentPort) throw new Error('training/replica-worker.ts must run in a worker thread');
const port = parentPort;

interface Replica {
  model: tf.LayersModel;
  layout: Layout;
  weights: Float32Array;
  grads: Float32Array;
  inputShape: number[];
}

let replica: Replica | null = null;

function reply(message: FromReplica, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function handle(message: ToReplica): Promise<void> {
  if (message.type === 'init') {
    await initEngine(message.backend);
    if (message.seed !== undefined) Math.random = seededUniform(message.seed ^ (REPLICA_SEED_SALT + message.index - 1));
    const model = buildModel(message.spec, { seed: message.seed });
    replica = { model, layout: layoutOf(model), weights: message.weights, grads: message.grads, inputShape: [...INPUT_SHAPES[message.spec.input]] };
    if (replica.layout.total !== message.weights.length) throw new Error('the replica has a different model than the coordinator');
    reply({ type: 'ready' });
    return;
  }
  if (!replica) throw new Error('the replica got work before init');
  const { model, layout, inputShape } = replica;
  const t0 = performance.now();
  readWeights(model, layout, replica.weights);
  if (message.type === 'step') {
    const t1 = performance.now();
    const x = tf.tensor(message.x, [message.size, ...inputShape]);
    const y = tf.tensor2d(message.y, [message.size, NUM_CLASSES]);
    const { grads, loss, acc } = await computeGradients(model, x, y);
    const t2 = performance.now();
    writeFlat(grads, layout, replica.grads);
    tf.dispose([x, y, ...grads]);
    reply({ type: 'stepped', loss, acc, readMs: t1 - t0, computeMs: t2 - t1, writeMs: performance.now() - t2 });
  } else {
    const p = await probabilities(model, message.x, message.size, inputShape);
    reply({ type: 'predicted', probabilities: p }, [p.buffer as ArrayBuffer]);
  }
}

port.on('message', (message: ToReplica) => {
  handle(message).catch((error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});
