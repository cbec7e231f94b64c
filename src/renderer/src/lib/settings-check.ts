// The training settings checked one field at a time, so that each problem is told at its own
// field, in words a user knows, while the layers are still checked (and their shapes shown).
import type { ModelSpec } from '../../../shared/model-spec';
import { MAX_BATCH_SIZE as MAX_BATCH, MAX_EPOCHS, MAX_SEED, MIN_LIMIT, TRAIN_IMAGES } from '../../../shared/limits';
import type { MessageKey } from '../i18n/index.svelte';

/** what the split box offers: a part of the training images, never none or all */
export const MIN_SPLIT = 0.01;
export const MAX_SPLIT = 0.99;

export type SettingField = 'learningRate' | 'epochs' | 'batchSize' | 'split' | 'limit' | 'seed';

export interface SettingProblem {
  field: SettingField;
  /** the field's label */
  label: MessageKey;
  /** what the field takes */
  key: MessageKey;
  params: Record<string, number | string>;
}

const whole = (value: unknown, min: number, max: number): boolean => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** Every setting that is not valid, in the order of the form. */
export function settingProblems(spec: ModelSpec, limit: number | null, seed: number | null): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const lr = spec.learningRate as unknown;
  if (!(typeof lr === 'number' && lr > 0 && lr <= 10)) problems.push({ field: 'learningRate', label: 'model.learningRate', key: 'model.lrError', params: {} });
  if (!whole(spec.epochs, 1, MAX_EPOCHS)) problems.push({ field: 'epochs', label: 'model.epochs', key: 'model.wholeError', params: { min: 1, max: MAX_EPOCHS } });
  if (!whole(spec.batchSize, 1, MAX_BATCH)) problems.push({ field: 'batchSize', label: 'model.batchSize', key: 'model.wholeError', params: { min: 1, max: MAX_BATCH.toLocaleString('en-US') } });
  if (spec.validation.kind === 'split') {
    const f = spec.validation.fraction as unknown;
    if (!(typeof f === 'number' && f >= MIN_SPLIT && f <= MAX_SPLIT)) problems.push({ field: 'split', label: 'model.splitFraction', key: 'model.splitError', params: { min: MIN_SPLIT, max: MAX_SPLIT } });
  }
  if (limit !== null && !whole(limit, MIN_LIMIT, TRAIN_IMAGES)) problems.push({ field: 'limit', label: 'model.limit', key: 'model.limitError', params: { min: MIN_LIMIT, max: TRAIN_IMAGES.toLocaleString('en-US') } });
  if (seed !== null && !whole(seed, 0, MAX_SEED)) problems.push({ field: 'seed', label: 'model.seed', key: 'model.seedError', params: { max: MAX_SEED } });
  return problems;
}

/** The spec with each invalid setting replaced by a valid one, for checking the layers alone. */
export function withValidSettings(spec: ModelSpec, problems: SettingProblem[]): ModelSpec {
  const bad = new Set(problems.map((p) => p.field));
  return {
    ...spec,
    learningRate: bad.has('learningRate') ? 0.001 : spec.learningRate,
    epochs: bad.has('epochs') ? 1 : spec.epochs,
    batchSize: bad.has('batchSize') ? 1 : spec.batchSize,
    validation: bad.has('split') ? { kind: 'none' } : spec.validation,
  };
}
