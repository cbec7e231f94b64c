// The run being trained (or the last one), rebuilt from the lab's train.event stream.
// A view opened mid-run catches up from train.status, which keeps the run's events.
import type { ModelSpec } from '../../../shared/model-spec';
import type { EngineReport, EpochLogs, RunResult, TrainEvent } from '../../../shared/training';
import type { ErrorCode, ErrorParams } from '../../../shared/error-codes';

export type Phase = 'idle' | 'starting' | 'training' | 'paused' | 'evaluating' | 'done' | 'stopped' | 'failed';

type BatchEvent = Extract<TrainEvent, { type: 'batch' }>;

export interface EpochRecord {
  epoch: number;
  epochs: number;
  logs: EpochLogs;
  seconds: number;
  msPerStep: number;
}

/** One point of the per-batch curves: x in epochs (2.5 = halfway through epoch 3). */
export interface BatchPoint {
  x: number;
  loss: number;
  acc: number;
}

export class TrainingState {
  runId = $state<string | null>(null);
  phase = $state<Phase>('idle');
  spec = $state.raw<ModelSpec | null>(null);
  engine = $state.raw<EngineReport | null>(null);
  trainCount = $state(0);
  validationCount = $state(0);
  epoch = $state(0);
  epochs = $state(0);
  batch = $state.raw<BatchEvent | null>(null);
  epochLog = $state.raw<EpochRecord[]>([]);
  batchPoints = $state.raw<BatchPoint[]>([]);
  result = $state.raw<RunResult | null>(null);
  message = $state('');
  /** a failed run's error, for the view to say in the user's language (message is the English) */
  failure = $state.raw<{ code: ErrorCode; params?: ErrorParams } | null>(null);
  /** when the run started (this page's clock), for the elapsed time */
  startedAt = $state(0);

  private lossSum = 0;
  private accSum = 0;
  private samples = 0;

  get running(): boolean {
    return this.phase === 'starting' || this.phase === 'training' || this.phase === 'paused' || this.phase === 'evaluating';
  }

  /** Forget the last run before a new one starts. */
  reset(runId: string | null, phase: Phase): void {
    this.runId = runId;
    this.phase = phase;
    this.spec = null;
    this.engine = null;
    this.epoch = 0;
    this.epochs = 0;
    this.batch = null;
    this.epochLog = [];
    this.batchPoints = [];
    this.result = null;
    this.message = '';
    this.failure = null;
    this.startedAt = performance.now();
  }

  /** Applies one event; events of another run than the one followed start following it. */
  apply(event: TrainEvent): void {
    if (event.runId !== this.runId) {
      if (event.type === 'start') this.reset(event.runId, 'training');
      // a run that fails before it starts still ends the wait of the one we asked for
      else if (this.runId === null && this.phase === 'starting') this.runId = event.runId;
      else return;
    }
    switch (event.type) {
      case 'start':
        this.phase = 'training';
        this.spec = event.spec;
        this.engine = event.engine;
        this.trainCount = event.trainCount;
        this.validationCount = event.validationCount;
        this.epochs = event.spec.epochs;
        break;
      case 'epochBegin':
        this.epoch = event.epoch;
        this.epochs = event.epochs;
        this.lossSum = 0;
        this.accSum = 0;
        this.samples = 0;
        break;
      case 'batch': {
        this.batch = event;
        this.epoch = event.epoch;
        // Batch events carry the epoch's running means (as Keras prints them); the points
        // between two events are what those batches alone scored.
        const lossSum = event.loss * event.samples;
        const accSum = event.acc * event.samples;
        const seen = event.samples - this.samples;
        if (seen > 0) {
          const point = {
            x: event.epoch - 1 + event.batch / event.batches,
            loss: (lossSum - this.lossSum) / seen,
            acc: (accSum - this.accSum) / seen,
          };
          this.batchPoints = [...this.batchPoints, point];
        }
        this.lossSum = lossSum;
        this.accSum = accSum;
        this.samples = event.samples;
        break;
      }
      case 'epochEnd':
        this.epochLog = [
          ...this.epochLog.filter((e) => e.epoch !== event.epoch),
          { epoch: event.epoch, epochs: event.epochs, logs: event.logs, seconds: event.seconds, msPerStep: event.msPerStep },
        ];
        break;
      case 'paused':
        this.phase = 'paused';
        break;
      case 'resumed':
        this.phase = 'training';
        break;
      case 'evaluating':
        this.phase = 'evaluating';
        break;
      case 'done':
        this.result = event.result;
        this.phase = event.result.stopped ? 'stopped' : 'done';
        break;
      case 'failed':
        this.message = event.message;
        this.failure = event.code ? { code: event.code, params: event.params } : null;
        this.phase = 'failed';
        break;
    }
  }
}
