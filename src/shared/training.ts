// What a training run is asked to do, what it reports, and the evaluation it ends with.
// Keras's words: fit, epoch, batch, history (loss, acc, val_loss, val_acc), evaluate.
import { NUM_CLASSES, type ModelSpec } from './model-spec';
import type { ErrorCode, ErrorParams } from './error-codes';
/** Threads that train (data-parallel): 'auto', or a whole number from 1 to MAX_WORKERS (limits.ts). */
export type WorkersChoice = 'auto' | number;

/**
 * Why a run trains on the threads it does (training/workers-plan.ts decides): the renderer
 * words it in the user's language ('train.workersWhy.<key>'), the CLI in English.
 */
export type WorkersWhy =
  /** `--workers N` asked for it */
  | 'forced'
  /** tensorflow spreads each step over every core itself */
  | 'native'
  /** a GPU engine (webgpu, tensorflow-gpu) runs each step in parallel itself */
  | 'gpu'
  /** a dense-only model: a step is too light to pay for the sync */
  | 'denseOnly'
  /** one thread per core */
  | 'cores'
  /** fewer threads than cores: each keeps at least `share` samples of a batch */
  | 'batchShare';

export interface WorkersReason {
  key: WorkersWhy;
  /** cores, batch, share, asked: what the key's text names */
  params: Record<string, number>;
}

export interface TrainRequest {
  spec: ModelSpec;
  /** train on the first N training images only, for quick tries (validation split is taken from those) */
  limit?: number;
  /** seeds weight init, shuffling and dropout so a run repeats on the same backend */
  seed?: number;
  /** folder to save the trained model into (TensorFlow.js layers format) */
  saveDir?: string;
  /** default 'auto'; a seed repeats a run for the same number of workers */
  workers?: WorkersChoice;
  /** fine-tune on MNIST plus My digits (the user's labelled drawings), added to the training examples */
  myDigits?: boolean;
  /** how many times each My digit is seen per epoch (default 1): a few drawings among 60,000 images weigh little */
  myDigitsRepeat?: number;
  /** start from this saved run's weights (same layers) rather than fresh ones: fine-tuning */
  initFrom?: string;
}

export type HistoryKey = 'loss' | 'acc' | 'val_loss' | 'val_acc';
export type History = Partial<Record<HistoryKey, number[]>>;

export interface EpochLogs {
  loss: number;
  acc: number;
  val_loss?: number;
  val_acc?: number;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** how many test images carry this label */
  support: number;
}

export interface Misclassified {
  index: number;
  label: number;
  predicted: number;
  confidence: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** 10×10 counts: rows are true labels, columns predictions */
  confusionMatrix: number[][];
  perClass: ClassMetrics[];
  /** every wrongly read test image, most confident first */
  misclassified: Misclassified[];
}

export interface EngineReport {
  backend: string;
  version: string;
  reason: string;
  /** true when the settings, --backend or the environment named the backend; false when auto picked it */
  forced?: boolean;
  /** webgpu: whether its adapter is software (runs on the CPU); the version names the adapter */
  softwareAdapter?: boolean;
  /** threads training the run (set by the run) */
  workers?: number;
  /** why it trains on that many (set by the run) */
  workersWhy?: WorkersReason;
}

export interface RunResult {
  runId: string;
  spec: ModelSpec;
  history: History;
  evaluation: Evaluation;
  epochsCompleted: number;
  /** true when the user stopped the run before its last epoch */
  stopped: boolean;
  durationSeconds: number;
  trainCount: number;
  validationCount: number;
  params: number;
  engine: EngineReport;
  seed?: number;
  modelDir?: string;
  finishedAt: string;
  /** training examples that were My digits (repeats counted); part of trainCount */
  myDigitsCount?: number;  /** for an imported model: what the lab did to run it (skipped layers, an added softmax, the input scale) */
  notes?: string[];
}

export type TrainEvent =
  | {
      type: 'start';
      runId: string;
      spec: ModelSpec;
      engine: EngineReport;
      trainCount: number;
      validationCount: number;
      batchesPerEpoch: number;
    }
  | { type: 'epochBegin'; runId: string; epoch: number; epochs: number }
  | {
      type: 'batch';
      runId: string;
      epoch: number;
      batch: number;
      batches: number;
      samples: number;
      totalSamples: number;
      loss: number;
      acc: number;
      msPerStep: number;
      etaSeconds: number;
    }
  | { type: 'epochEnd'; runId: string; epoch: number; epochs: number; logs: EpochLogs; seconds: number; msPerStep: number }
  | { type: 'paused'; runId: string }
  | { type: 'resumed'; runId: string }
  | { type: 'evaluating'; runId: string }
  | { type: 'done'; runId: string; result: RunResult }
  /** `code` and `params` where the failure is one the lab names (error-codes.ts), for the user's language */
  | { type: 'failed'; runId: string; message: string; code?: ErrorCode; params?: ErrorParams };

/** Counts of (true label, predicted label) pairs. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes = NUM_CLASSES): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][predicted[i]]++;
  return matrix;
}

export function perClassMetrics(matrix: number[][]): ClassMetrics[] {
  return matrix.map((row, k) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predictedK = matrix.reduce((sum, r) => sum + r[k], 0);
    const hits = row[k];
    const precision = predictedK === 0 ? 0 : hits / predictedK;
    const recall = support === 0 ? 0 : hits / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
}

/** `accuracy = 99.18%`, as the seeds print it. */
export function formatAccuracy(accuracy: number): string {
  return `${(accuracy * 100).toFixed(2)}%`;
}
