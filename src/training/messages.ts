// Messages between the process that owns the window (or the CLI) and the training worker.
import type { BackendChoice, TrainEvent, TrainRequest } from '../shared/training';

export type ToWorker =
  | { type: 'train'; runId: string; request: TrainRequest; backend: BackendChoice; cacheDir?: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type FromWorker = { type: 'event'; event: TrainEvent };
