// The augment feed's thread: augments a batch slot in shared memory in place, in the order asked.
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Augmentation } from '../shared/augment';
import { seededUniform } from '../models/random';
import { Augmenter } from './augment';

export interface AugmentRequest {
  slot: number;
  count: number;
}

export interface AugmentReply {
  slot: number;
}

interface AugmentWorkerData {
  augmentation: Augmentation;
  seed: number | undefined;
  buffers: SharedArrayBuffer[];
}

if (!parentPort) throw new Error('training/augment-worker.ts must run in a worker thread');
const port = parentPort;
const { augmentation, seed, buffers } = workerData as AugmentWorkerData;
const augmenter = new Augmenter(augmentation, seed === undefined ? Math.random : seededUniform(seed));
const slots = buffers.map((buffer) => new Float32Array(buffer));

// On Linux a nice value belongs to one thread (elsewhere to the whole process, so it stays as
// it is there): augmenting yields the cores to the training step and uses what the step leaves.
if (process.platform === 'linux') setPriority(constants.priority.PRIORITY_LOW);

port.on('message', ({ slot, count }: AugmentRequest) => {
  augmenter.apply(slots[slot], count);
  port.postMessage({ slot } satisfies AugmentReply);
});
