import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, presetSpec } from '../src/shared/presets';
import { DEFAULT_AUGMENTATION } from '../src/shared/augment';
import { validateModelSpec } from '../src/shared/model-spec';
import { modelSpecFor, RECIPES } from '../src/shared/recipes';
import { validateCall } from '../src/lab/validate';

test("recipes are their seed preset with only the changes they name, and the presets stay the seeds'", () => {
  for (const preset of PRESETS) assert.equal(preset.spec.augmentation, undefined, preset.id);
  const reader = modelSpecFor('cnn-16-36-reader');
  assert.deepEqual(reader, { ...presetSpec('cnn-16-36'), name: reader.name, epochs: 4, validation: { kind: 'none' }, learningRate: 0.002 });
  const augmented = modelSpecFor('mlp-256-augmented');
  assert.deepEqual(augmented, { ...presetSpec('mlp-256'), name: augmented.name, augmentation: DEFAULT_AUGMENTATION });
  for (const recipe of RECIPES) {
    assert.match(recipe.title, /\(lab recipe\)$/);
    validateModelSpec(recipe.spec);
  }
  // a copy each time: editing one does not change the recipe
  modelSpecFor('cnn-16-36-reader').epochs = 99;
  assert.equal(modelSpecFor('cnn-16-36-reader').epochs, 4);
  assert.equal(modelSpecFor('mlp-256').augmentation, undefined);
  assert.throws(() => modelSpecFor('cnn-99'), /unknown preset "cnn-99"; the presets are: .*; the lab's recipes: cnn-16-36-reader, mlp-256-augmented/);
});

test('the lab takes a recipe (augmentation included) from the views, and names a bad range', () => {
  for (const recipe of RECIPES) assert.equal(validateCall('models.summary', { spec: recipe.spec }), 'models.summary');
  const spec = { ...modelSpecFor('mlp-256-augmented'), augmentation: { ...DEFAULT_AUGMENTATION, zoom: 3 } };
  assert.throws(() => validateCall('train.start', { spec }), (error: Error) => error.message === 'train.start.spec: augmentation zoom must be from 0 to 0.5, got 3');
});
