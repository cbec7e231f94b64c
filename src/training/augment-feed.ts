// Augmented batches made one step ahead on a thread of their own: while batch b trains, the
// augment worker draws batch b+1, so augmenting costs an epoch little more than filling the
// batch. The two batch buffers are shared memory; the worker's seeded stream sees the batches
// in the same order as a single thread would, so a seeded run repeats exactly.
import type { Worker } from 'node:worker_threads';
import type { Augmentation } from '../shared/augment';
import { BatchMaker, type Examples } from './batches';
import type { Batch } from './stepper';
import { startWorker } from './start-worker';
import type { AugmentReply, AugmentRequest } from './augment-worker';

/** Salt for the augmentation's own seeded stream, apart from the shuffle's and the weights'. */
export const AUGMENT_SEED = 0xa06e;

const SLOTS = 2;

/** A slot's batch: which batch of which epoch order, and its augmenting, settled by the worker's reply. */
interface Held {
  order: Uint32Array;
  index: number;
  batch: Batch;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class AugmentFeed {
  private readonly makers: BatchMaker[];
  private readonly held: (Held | undefined)[] = new Array(SLOTS).fill(undefined);
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    examples: Examples,
    batchSize: number,
    inputShape: number[],
    buffers: SharedArrayBuffer[],
  ) {
    this.makers = buffers.map((buffer) => new BatchMaker(examples, batchSize, inputShape, buffer));
    worker.on('message', (reply: AugmentReply) => this.held[reply.slot]?.resolve());
    // A settled slot ignores the rejection: only batches still being augmented fail.
    const fail = (error: Error) => {
      this.failure = new Error(`augmenting a batch failed: ${error.message}`);
      for (const held of this.held) held?.reject(this.failure);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`the augment worker stopped with code ${code}`));
    });
  }

  /** `seed` undefined draws from Math.random, as an unseeded run does. */
  static start(examples: Examples, batchSize: number, inputShape: number[], augmentation: Augmentation, seed: number | undefined): AugmentFeed {
    const buffers = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(BatchMaker.imageBytes(batchSize)));
    const worker = startWorker('augment-worker', { workerData: { augmentation, seed: seed === undefined ? undefined : seed ^ AUGMENT_SEED, buffers } });
    return new AugmentFeed(worker, examples, batchSize, inputShape, buffers);
  }

  /** Batch `index` of the epoch in `order`, augmented; starts on batch index+1 before returning. */
  async take(order: Uint32Array, index: number): Promise<Batch> {
    const held = this.held[index % SLOTS];
    const ready = held && held.order === order && held.index === index ? held : await this.request(order, index);
    await ready.done;
    if ((index + 1) * this.makers[0].batchSize < order.length) await this.request(order, index + 1);
    return ready.batch;
  }

  /** Fills batch `index` into its slot and sends it to be augmented, once the slot's last batch is back. */
  private async request(order: Uint32Array, index: number): Promise<Held> {
    const slot = index % SLOTS;
    await this.held[slot]?.done.catch(() => undefined);
    if (this.failure) throw this.failure;
    const batch = this.makers[slot].fill(order, index);
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    // A batch made ahead may never be taken (the run stopped): its failure must not go unhandled.
    done.catch(() => undefined);
    const held = { order, index, batch, done, resolve, reject };
    this.held[slot] = held;
    this.worker.postMessage({ slot, count: batch.size } satisfies AugmentRequest);
    return held;
  }

  async dispose(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
