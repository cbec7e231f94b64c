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
  /** measured here (README, "Measured here"), shown beside the recipe in the views */
  measured: RecipeFigures;
}

export interface RecipeFigures {
  /** accuracy on MNIST's 10,000 test images */
  mnist: number;
  /** accuracy on the lab's real drawings (test/fixtures/drawings, 1,062 drawings) */
  drawings: number;
  /** training time in seconds, the whole run, on the quiet 2-core machine */
  seconds: number;
}

function recipe(id: string, title: string, preset: string, changes: string, measured: RecipeFigures, edit: (spec: ModelSpec) => void): Recipe {
  const spec = presetSpec(preset);
  edit(spec);
  spec.name = title;
  return { id, title, preset, changes, spec, measured };
}

// `digit-lab train <recipe> --seed 1` on the tensorflow engine of the quiet 2-core Intel Xeon (the
// run's durationSeconds), then `digit-lab evaluate <its folder> --drawings test/fixtures/drawings`.
const CNN_READER_FIGURES: RecipeFigures = { mnist: 0.9883, drawings: 1055 / 1062, seconds: 112 };
const MLP_AUGMENTED_FIGURES: RecipeFigures = { mnist: 0.9766, drawings: 1054 / 1062, seconds: 44 };

export const RECIPES: readonly Recipe[] = [
  recipe('cnn-16-36-reader', 'CNN 16-36 reader (lab recipe)', 'cnn-16-36', '4 epochs on all 60,000 images (no validation split), Adam at 0.002', CNN_READER_FIGURES, (spec) => {
    spec.epochs = 4;
    spec.validation = { kind: 'none' };
    spec.learningRate = 0.002;
  }),
  recipe('mlp-256-augmented', 'MLP 256, augmented (lab recipe)', 'mlp-256', "the seed's settings, each batch augmented (rotation, translation, zoom, stroke thickness)", MLP_AUGMENTED_FIGURES, (spec) => {
    spec.augmentation = { ...DEFAULT_AUGMENTATION };
  }),
];

export const RECIPE_IDS = RECIPES.map((r) => r.id);

/** The recipe the Paint view recommends for reading drawings. */
export const READER_RECIPE = 'cnn-16-36-reader';

export function findRecipe(id: string): Recipe | undefined {
  return RECIPES.find((r) => r.id === id);
}

/** A fresh copy of a preset's or a recipe's description; an unknown id is an error listing both. */
export function modelSpecFor(id: string): ModelSpec {
  const found = findRecipe(id);
  if (found) return structuredClone(found.spec);
  if (!PRESET_IDS.includes(id)) throw new Error(`unknown preset "${id}"; the presets are: ${PRESET_IDS.join(', ')}; the lab's recipes: ${RECIPE_IDS.join(', ')}`);
  return presetSpec(id);
}
