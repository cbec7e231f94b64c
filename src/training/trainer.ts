// The lab's side of training: starts runs on the worker thread and relays its events.
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import type { BackendChoice } from '../shared/backends';
import type { RunResult, TrainEvent, TrainRequest } from '../shared/training';
import { validateModelSpec } from '../shared/model-spec';
import type { FromWorker, ToWorker, TrainExtras } from './messages';
import { startWorker } from './start-worker';
import { LabError } from '../lab/lab-error';

export class AlreadyTrainingError extends Error {
  constructor(readonly runId: string) {
    super(`a run is already training (${runId}); stop it or wait for it to finish before starting another`);
    this.name = 'AlreadyTrainingError';
  }
}

export interface TrainerOptions {
  backend?: BackendChoice;
  cacheDir?: string;
  /** the Python the Keras engine runs on (backend 'keras'): --python or the Settings' */
  python?: string;
}

export declare interface Trainer {
  on(event: 'event', listener: (event: TrainEvent) => void): this;
}

export class Trainer extends EventEmitter {
  private worker: Worker | null = null;
  private current: string | null = null;
  private readonly backend: BackendChoice;

  constructor(private readonly options: TrainerOptions = {}) {
    super();
    this.backend = options.backend ?? 'auto';
  }

  get running(): string | null {
    return this.current;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker('worker');
    worker.on('message', (message: FromWorker) => this.relay(message.event));
    worker.on('error', (error) => this.fail(`the training worker crashed: ${error.message}`));
    worker.on('exit', (code) => {
      this.worker = null;
      if (this.current) this.fail(`the training worker exited (code ${code}) during the run`);
    });
    this.worker = worker;
    return worker;
  }

  private relay(event: TrainEvent): void {
    if (event.type === 'done' || event.type === 'failed') this.current = null;
    this.emit('event', event);
  }

  private fail(message: string): void {
    if (!this.current) return;
    this.relay({ type: 'failed', runId: this.current, message });
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  /** Starts a run and returns its id; a second start while one trains is refused. */
  start(request: TrainRequest, runId: string = randomUUID(), extras?: TrainExtras): string {
    if (this.current) throw new AlreadyTrainingError(this.current);
    validateModelSpec(request.spec);
    this.current = runId;
    this.ensureWorker();
    this.send({ type: 'train', runId, request, backend: this.backend, cacheDir: this.options.cacheDir, extras, python: this.options.python });
    return runId;
  }

  pause(): void {
    if (this.current) this.send({ type: 'pause' });
  }

  resume(): void {
    if (this.current) this.send({ type: 'resume' });
  }

  stop(): void {
    if (this.current) this.send({ type: 'stop' });
  }

  /** start() and wait for the run's result; events still go to 'event' listeners. */
  run(request: TrainRequest, extras?: TrainExtras, id?: string): Promise<RunResult> {
    const runId = this.start(request, id, extras);
    return new Promise((resolve, reject) => {
      const listener = (event: TrainEvent) => {
        if (event.runId !== runId) return;
        if (event.type === 'done') {
          this.off('event', listener);
          resolve(event.result);
        } else if (event.type === 'failed') {
          this.off('event', listener);
          reject(event.code ? new LabError(event.code, event.params) : new Error(event.message));
        }
      };
      this.on('event', listener);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.current = null;
    if (worker) await worker.terminate();
  }
}
