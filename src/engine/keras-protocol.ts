// The JSON lines the Keras engine's worker (resources/keras_engine.py) and the lab exchange over
// its stdin and stdout: what each message holds, and the check every line from Python passes
// before the lab acts on it.
import type { EpochLogs } from '../shared/training';
import type { ModelSpec } from '../shared/model-spec';

/** The protocol's version; the worker's PROTOCOL must equal it. */
export const KERAS_PROTOCOL = 1;

/** Rows of the verified MNIST training file: the first `count` train; a split validates on [start, end). */
export type KerasValidation = { kind: 'none' } | { kind: 'test' } | { kind: 'split'; start: number; end: number };

/** Lab → worker. */
export type ToKeras =
  | {
      type: 'train';
      spec: ModelSpec;
      seed: number | null;
      /** the lab's verified raw IDX files */
      data: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
      train: { count: number };
      validation: KerasValidation;
      /** My digits: float32 images and uint8 labels, each repeated `repeat` times after the training rows */
      myDigits: { images: string; labels: string; count: number; repeat: number } | null;
      /** weights to start from (fine-tuning): float32 values end to end, in Keras's (and TF.js's) order */
      initWeights: { path: string; shapes: number[][] } | null;
      /** where to save the trained model (.keras) */
      out: string;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

/** Worker → lab. Training events carry no runId: the lab adds its own. */
export type FromKeras =
  | { type: 'hello'; protocol: number; python: string; keras: string; backend: string }
  | { type: 'refused'; code: 'missing' | 'old' | 'backend'; detail: string }
  | { type: 'start'; trainCount: number; validationCount: number; batchesPerEpoch: number }
  | { type: 'epochBegin'; epoch: number; epochs: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; samples: number; totalSamples: number; loss: number; acc: number; msPerStep: number; etaSeconds: number }
  | { type: 'epochEnd'; epoch: number; epochs: number; logs: EpochLogs; seconds: number; msPerStep: number }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'saved'; path: string; epochsCompleted: number }
  | { type: 'failed'; message: string };

type Field = 'number' | 'string' | 'logs';

/** Each message's fields. A number may come as null: Python's NaN and infinities, which JSON lacks. */
const FIELDS: { [T in FromKeras['type']]: Record<string, Field> } = {
  hello: { protocol: 'number', python: 'string', keras: 'string', backend: 'string' },
  refused: { code: 'string', detail: 'string' },
  start: { trainCount: 'number', validationCount: 'number', batchesPerEpoch: 'number' },
  epochBegin: { epoch: 'number', epochs: 'number' },
  batch: { epoch: 'number', batch: 'number', batches: 'number', samples: 'number', totalSamples: 'number', loss: 'number', acc: 'number', msPerStep: 'number', etaSeconds: 'number' },
  epochEnd: { epoch: 'number', epochs: 'number', logs: 'logs', seconds: 'number', msPerStep: 'number' },
  paused: {},
  resumed: {},
  saved: { path: 'string', epochsCompleted: 'number' },
  failed: { message: 'string' },
};

const REFUSALS = ['missing', 'old', 'backend'];
const LOG_KEYS = ['loss', 'acc', 'val_loss', 'val_acc'];

export class KerasProtocolError extends Error {}

function number(value: unknown, where: string): number {
  if (value === null) return NaN;
  if (typeof value !== 'number') throw new KerasProtocolError(`${where} must be a number`);
  return value;
}

function logs(value: unknown): EpochLogs {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KerasProtocolError('logs must be an object');
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!LOG_KEYS.includes(key)) throw new KerasProtocolError(`logs has an unknown key ${key}`);
    out[key] = number(v, `logs.${key}`);
  }
  if (!('loss' in out) || !('acc' in out)) throw new KerasProtocolError('logs must hold loss and acc');
  return out as unknown as EpochLogs;
}

/** One line from the worker as a message; anything else is a KerasProtocolError saying what is wrong. */
export function parseFromKeras(line: string): FromKeras {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new KerasProtocolError('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KerasProtocolError('not a JSON object');
  const raw = value as Record<string, unknown>;
  const type = raw.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) throw new KerasProtocolError(`unknown message type ${JSON.stringify(type)}`);
  const out: Record<string, unknown> = { type };
  for (const [field, kind] of Object.entries(FIELDS[type as FromKeras['type']])) {
    const v = raw[field];
    if (kind === 'number') out[field] = number(v, field);
    else if (kind === 'logs') out[field] = logs(v);
    else if (typeof v !== 'string') throw new KerasProtocolError(`${field} must be a string`);
    else out[field] = v;
  }
  if (type === 'refused' && !REFUSALS.includes(out.code as string)) throw new KerasProtocolError(`unknown refusal ${String(out.code)}`);
  return out as FromKeras;
}
