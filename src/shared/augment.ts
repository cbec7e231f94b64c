// Augmentation as Keras's preprocessing layers offer it (RandomRotation, RandomTranslation,
// RandomZoom), plus stroke thickness: each training image is drawn a little differently every
// time it is seen, so a model learns digits that are not centred and sized exactly as MNIST's.

import { errorMessage, type ErrorCode, type ErrorParams } from './error-codes';

export interface Augmentation {
  /** RandomRotation's factor: up to ± this fraction of a full turn (0.04 is ±14.4°) */
  rotation: number;
  /** RandomTranslation's factor: up to ± this fraction of the side, across and down */
  translation: number;
  /** RandomZoom's factor: scaled by 1 ± this */
  zoom: number;
  /** strokes thickened or thinned by up to this share of one pixel's dilation or erosion */
  thickness: number;
}

export const DEFAULT_AUGMENTATION: Augmentation = { rotation: 0.04, translation: 0.1, zoom: 0.1, thickness: 0.5 };

/** Each range's largest value: past these a digit turns into another (a 6 into a 9) or leaves the field. */
export const AUGMENTATION_LIMITS: Augmentation = { rotation: 0.25, translation: 0.5, zoom: 0.5, thickness: 1 };

/** What is wrong with an augmentation, as an error code with its parameters, or undefined when it is sound. */
export function augmentationProblem(augmentation: unknown): { code: ErrorCode; params: ErrorParams } | undefined {
  const ranges = Object.keys(DEFAULT_AUGMENTATION).join(', ');
  if (typeof augmentation !== 'object' || augmentation === null) return { code: 'model.augmentation', params: { ranges } };
  const given = augmentation as Record<string, unknown>;
  for (const key of Object.keys(given)) if (!(key in DEFAULT_AUGMENTATION)) return { code: 'model.augmentationKey', params: { key, ranges } };
  for (const [key, limit] of Object.entries(AUGMENTATION_LIMITS)) {
    const value = given[key];
    if (typeof value !== 'number' || !(value >= 0 && value <= limit)) return { code: 'model.augmentationRange', params: { key, max: limit, got: String(JSON.stringify(value)) } };
  }
  return undefined;
}

/** Parses "rotation=0.05,zoom=0.2" over the defaults; a bad part is an error naming it. */
export function parseAugmentation(text: string): Augmentation {
  const augmentation: Record<string, number> = { ...DEFAULT_AUGMENTATION };
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [key, value, extra] = part.split('=').map((s) => s.trim());
    if (value === undefined || extra !== undefined || value === '' || !Number.isFinite(Number(value))) throw new Error(`augmentation "${part}" must be name=number, such as rotation=0.05`);
    augmentation[key] = Number(value);
  }
  const problem = augmentationProblem(augmentation);
  if (problem) throw new Error(errorMessage(problem.code, problem.params));
  return augmentation as unknown as Augmentation;
}
