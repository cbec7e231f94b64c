// The lab's own recipes: seed models trained with settings the lab found better. They are not
// the seeds' (the presets stay exactly the seeds), and each says what it changes and why.
import { DEFAULT_AUGMENTATION } from './augment';
import type { ModelSpec } from './model-spec';
import { PRESET_IDS, presetSpec } from './presets';

export interface Recipe {
  id: string;
  title: string;
  /** the seed preset it starts from */
  preset: string;
  /** what it changes, in words */
  changes: string;
  spec: ModelSpec;
}

function recipe(id: string, title: string, preset: string, changes: string, edit: (spec: ModelSpec) => void): Recipe {
  const spec = presetSpec(preset);
  edit(spec);
  spec.name = title;
  return { id, title, preset, changes, spec };
}

export const RECIPES: readonly Recipe[] = [
  recipe('cnn-16-36-reader', 'CNN 16-36 reader (lab recipe)', 'cnn-16-36', '4 epochs on all 60,000 images (no validation split), Adam at 0.002', (spec) => {
    spec.epochs = 4;
    spec.validation = { kind: 'none' };
    spec.learningRate = 0.002;
  }),
  recipe('mlp-256-augmented', 'MLP 256, augmented (lab recipe)', 'mlp-256', "the seed's settings, each batch augmented (rotation, translation, zoom, stroke thickness)", (spec) => {
    spec.augmentation = { ...DEFAULT_AUGMENTATION };
  }),
];

export const RECIPE_IDS = RECIPES.map((r) => r.id);

/** A fresh copy of a preset's or a recipe's description; an unknown id is an error listing both. */
export function modelSpecFor(id: string): ModelSpec {
  const found = RECIPES.find((r) => r.id === id);
  if (found) return structuredClone(found.spec);
  if (!PRESET_IDS.includes(id)) throw new Error(`unknown preset "${id}"; the presets are: ${PRESET_IDS.join(', ')}; the lab's recipes: ${RECIPE_IDS.join(', ')}`);
  return presetSpec(id);
}
