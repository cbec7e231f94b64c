// What a run trained on, as the Runs view describes it, and whether the seed's own accuracy
// applies to it: only a run with the seed's layers and settings on all 60,000 images compares.
import type { RunSummary } from '../../../shared/contract';
import type { ModelSpec } from '../../../shared/model-spec';
import { PRESETS, type Preset } from '../../../shared/presets';
import type { Recipe } from '../../../shared/recipes';
import { TRAIN_IMAGES } from '../../../shared/limits';

/** MNIST training images the run used, validation split included; undefined when not known (imported). */
export function imagesUsed(run: RunSummary): number | undefined {
  if (!run.trainCount) return undefined;
  const split = run.spec.validation.kind === 'split' ? (run.validationCount ?? 0) : 0;
  return run.trainCount - (run.myDigitsCount ?? 0) + split;
}

/** JSON with its keys sorted and undefined left out, so that two equal specs compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const sameLayers = (a: ModelSpec, b: ModelSpec): boolean => a.input === b.input && canonical(a.layers) === canonical(b.layers);

const sameSettings = (a: ModelSpec, b: ModelSpec): boolean =>
  a.optimizer === b.optimizer &&
  a.learningRate === b.learningRate &&
  a.epochs === b.epochs &&
  a.batchSize === b.batchSize &&
  canonical(a.validation) === canonical(b.validation);

export type SeedFigure = { kind: 'same'; preset: Preset; accuracy: number } | { kind: 'differs'; preset: Preset } | { kind: 'none' };

/**
 * The seed's reported accuracy beside a run: matched by layers, never by name (a renamed run
 * keeps it); 'differs' when the layers are the seed's but the settings, images or epochs are not.
 */
export function seedFigure(run: RunSummary): SeedFigure {
  const preset = PRESETS.find((p) => p.seedAccuracy !== undefined && sameLayers(p.spec, run.spec));
  if (!preset) return { kind: 'none' };
  const asTheSeed =
    sameSettings(preset.spec, run.spec) &&
    imagesUsed(run) === TRAIN_IMAGES &&
    !run.myDigitsCount &&
    run.status === 'done' &&
    run.epochsCompleted === run.spec.epochs;
  return asTheSeed ? { kind: 'same', preset, accuracy: preset.seedAccuracy! } : { kind: 'differs', preset };
}

/**
 * The newest saved run trained as the recipe says: its layers and settings (augmentation
 * included), on all 60,000 images, finished. Matched by what it is, never by name.
 */
export function recipeRun(runs: readonly RunSummary[], recipe: Recipe): RunSummary | undefined {
  return [...runs]
    .reverse()
    .find(
      (run) =>
        run.hasModel &&
        run.status === 'done' &&
        run.epochsCompleted === run.spec.epochs &&
        sameLayers(recipe.spec, run.spec) &&
        sameSettings(recipe.spec, run.spec) &&
        canonical(recipe.spec.augmentation) === canonical(run.spec.augmentation) &&
        imagesUsed(run) === TRAIN_IMAGES,
    );
}
