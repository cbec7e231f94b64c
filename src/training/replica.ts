// The coordinator's handle on a replica worker: one request in flight at a time.
import type { Worker } from 'node:worker_threads';
import type { FromReplica, ToReplica } from './replica-messages';
import { startWorker } from './start-worker';

type Reply<T extends FromReplica['type']> = Extract<FromReplica, { type: T }>;

let live = 0;

/** Replica threads started and not yet exited (tests check that runs leave none behind). */
export function liveReplicas(): number {
  return live;
}

export class ReplicaHandle {
  private readonly worker: Worker;
  private pending: { resolve: (message: FromReplica) => void; reject: (error: Error) => void } | null = null;
  private dead: Error | null = null;

  constructor() {
    this.worker = startWorker('replica-worker');
    live++;
    this.worker.on('message', (message: FromReplica) => {
      const pending = this.pending;
      this.pending = null;
      if (message.type === 'failed') pending?.reject(new Error(`the training replica failed: ${message.message}`));
      else pending?.resolve(message);
    });
    this.worker.on('error', (error) => this.die(new Error(`the training replica crashed: ${error.message}`)));
    this.worker.on('exit', (code) => {
      live--;
      this.die(new Error(`the training replica exited (code ${code})`));
    });
  }

  private die(error: Error): void {
    this.dead ??= error;
    this.pending?.reject(error);
    this.pending = null;
  }

  request<T extends FromReplica['type']>(message: ToReplica, expect: T, transfer: ArrayBuffer[] = []): Promise<Reply<T>> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error('the training replica is busy'));
    return new Promise<FromReplica>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message, transfer);
    }).then((reply) => {
      if (reply.type !== expect) throw new Error(`the training replica answered '${reply.type}' to '${message.type}'`);
      return reply as Reply<T>;
    });
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error('the training replica was stopped');
    await this.worker.terminate();
  }
}
