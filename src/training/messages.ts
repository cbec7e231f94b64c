// Messages between the process that owns the window (or the CLI) and the training worker.
import type { BackendChoice } from '../shared/backends';
import type { TrainEvent, TrainRequest } from '../shared/training';

/** What a run needs from the lab beyond the request: My digits' examples, a saved model to start from. */
export interface TrainExtras {
  myDigits?: { count: number; images: Float32Array; labels: Uint8Array };
  initDir?: string;
}

export type ToWorker =
  | { type: 'train'; runId: string; request: TrainRequest; backend: BackendChoice; cacheDir?: string; extras?: TrainExtras; python?: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type FromWorker = { type: 'event'; event: TrainEvent };
