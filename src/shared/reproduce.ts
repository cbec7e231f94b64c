// "Reproduce the tutorials": each seed preset trained with its seed's settings, beside the
// accuracy the seed printed (or, for the presets the seeds never ran, real Keras's).
import { KERAS_REFERENCE, type KerasReference } from './keras-reference';
import { PRESETS, PRESET_IDS, type Preset } from './presets';
import type { ModelSpec } from './model-spec';
import type { TrainRequest } from './training';

/** A run is seeded so that reproducing repeats exactly on the same backend and threads. */
export const REPRODUCE_SEED = 1;
/** --quick: one epoch on the first images, to check every preset trains; its accuracies are not the seeds'. */
export const QUICK = { epochs: 1, limit: 6000 } as const;

/** Real Keras's test accuracy over several seeds: how far one run can fall from another. */
export interface Spread {
  mean: number;
  /** the sample standard deviation over the runs */
  sd: number;
  runs: number;
  keras: string;
}

export interface Reference {
  /** the seed's one printed run, or the mean of real Keras's runs */
  accuracy: number;
  /** 'seed': printed by the seed; 'keras': measured with real Keras (scripts/keras-reference.ts) */
  source: 'seed' | 'keras';
  /** for 'keras': the version that measured it */
  keras?: string;
  /** where real Keras was trained over two seeds or more */
  spread?: Spread;
}

export interface ReproduceRow {
  preset: string;
  reference: Reference | null;
  status: 'waiting' | 'training' | 'done' | 'stopped' | 'failed';
  accuracy?: number;
  /** the lab's accuracy minus the reference, in points (percent) */
  difference?: number;
  seconds?: number;
  runId?: string;
  message?: string;
}

export function spreadOf(keras: KerasReference): Spread | undefined {
  const runs = keras.accuracies.length;
  if (runs < 2) return undefined;
  const mean = keras.accuracies.reduce((a, b) => a + b, 0) / runs;
  const sd = Math.sqrt(keras.accuracies.reduce((sum, a) => sum + (a - mean) ** 2, 0) / (runs - 1));
  return { mean, sd, runs, keras: keras.keras };
}

export function referenceOf(preset: Preset): Reference | null {
  const keras = KERAS_REFERENCE[preset.id];
  const spread = keras && spreadOf(keras);
  const withSpread = spread ? { spread } : {};
  if (preset.seedAccuracy !== undefined) return { accuracy: preset.seedAccuracy, source: 'seed', ...withSpread };
  return keras ? { accuracy: keras.accuracy, source: 'keras', keras: keras.keras, ...withSpread } : null;
}

/** "85.05% ± 1.66" (mean ± sd, in percent and points) */
export function formatSpread(spread: Spread): string {
  return `${(spread.mean * 100).toFixed(2)}% ± ${(spread.sd * 100).toFixed(2)}`;
}

/** The presets asked for (all of them when none), in the presets' order; an unknown id is an error listing the known ones. */
export function reproducePresets(ids: readonly string[] = []): Preset[] {
  for (const id of ids) {
    if (!PRESET_IDS.includes(id)) throw new Error(`unknown preset "${id}"; the presets are: ${PRESET_IDS.join(', ')}`);
  }
  return PRESETS.filter((preset) => ids.length === 0 || ids.includes(preset.id));
}

/** What one preset's run is asked to do: the seed's settings, or the quick check's. */
export function reproduceRequest(preset: Preset, quick: boolean): TrainRequest {
  const spec: ModelSpec = structuredClone(preset.spec);
  if (!quick) return { spec, seed: REPRODUCE_SEED };
  spec.epochs = QUICK.epochs;
  return { spec, seed: REPRODUCE_SEED, limit: QUICK.limit };
}

export function waitingRow(preset: Preset): ReproduceRow {
  return { preset: preset.id, reference: referenceOf(preset), status: 'waiting' };
}

/** A row once its run ended. */
export function finishedRow(row: ReproduceRow, accuracy: number, seconds: number, stopped: boolean, runId?: string): ReproduceRow {
  const difference = row.reference ? (accuracy - row.reference.accuracy) * 100 : undefined;
  return { ...row, status: stopped ? 'stopped' : 'done', accuracy, seconds, difference, runId };
}

/** "+0.12" / "−1.05" points */
export function formatDifference(points: number): string {
  return `${points < 0 ? '−' : '+'}${Math.abs(points).toFixed(2)}`;
}

/** Seconds left in a whole run, from a batch event: this epoch's ETA plus the epochs after it at this pace. */
export function runEtaSeconds(event: { epoch: number; batches: number; msPerStep: number; etaSeconds: number }, epochs: number): number {
  return event.etaSeconds + Math.max(0, epochs - event.epoch) * ((event.batches * event.msPerStep) / 1000);
}

/** Where a reproduction stands: the table so far, and the preset training now. */
export interface ReproduceStatus {
  running: boolean;
  quick: boolean;
  rows: ReproduceRow[];
  /** the preset training now */
  current: string | null;
  /** seconds left in the current preset's run */
  etaSeconds: number | null;
}
