// What the Runs view says a run trained on, and when the seed's own accuracy stands beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunSummary } from '../src/shared/contract';
import { presetSpec, PRESETS } from '../src/shared/presets';
import { validationSplit } from '../src/data/mnist';
import { imagesUsed, recipeRun, seedFigure } from '../src/renderer/src/lib/run-facts';
import { findRecipe, modelSpecFor, READER_RECIPE } from '../src/shared/recipes';

/** A finished run of `spec` on `limit` images, counted as training splits them. */
function run(spec: RunSummary['spec'], limit = 60000, extra: Partial<RunSummary> = {}): RunSummary {
  const split = spec.validation.kind === 'split' ? validationSplit(limit, spec.validation.fraction) : { trainCount: limit, validationCount: spec.validation.kind === 'test' ? 10000 : 0 };
  return { runId: 'r', name: spec.name, status: 'done', spec, epochsCompleted: spec.epochs, hasModel: true, ...split, ...extra };
}

test('images used count the validation split but neither the test set nor My digits', () => {
  assert.equal(imagesUsed(run(presetSpec('mlp-256'), 6000)), 6000);
  assert.equal(imagesUsed(run(presetSpec('mlp-512'))), 60000, 'validation on the test set is not training images');
  const withMine = run(presetSpec('cnn-16-16'), 3000);
  assert.equal(imagesUsed({ ...withMine, trainCount: withMine.trainCount! + 40, myDigitsCount: 40 }), 3000);
  assert.equal(imagesUsed({ ...withMine, trainCount: 0, validationCount: 0 }), undefined, 'an imported model says nothing of its images');
});

test('the seed’s accuracy stands only beside a run with the seed’s layers and settings, whatever its name', () => {
  const mlp = PRESETS.find((p) => p.id === 'mlp-256')!;
  const same = seedFigure(run({ ...presetSpec('mlp-256'), name: 'my own name' }));
  assert.equal(same.kind, 'same');
  assert.equal(same.kind === 'same' && same.accuracy, mlp.seedAccuracy);
  assert.equal(seedFigure(run(presetSpec('mlp-256'), 6000)).kind, 'differs', 'fewer images');
  assert.equal(seedFigure(run({ ...presetSpec('mlp-256'), epochs: 1 })).kind, 'differs', 'fewer epochs');
  assert.equal(seedFigure(run(presetSpec('mlp-256'), 60000, { status: 'stopped', epochsCompleted: 3 })).kind, 'differs', 'stopped early');
  assert.equal(seedFigure(run({ ...presetSpec('mlp-256'), batchSize: 32 })).kind, 'differs', 'another batch size');
  const edited = presetSpec('mlp-256');
  edited.layers[0] = { type: 'Dense', units: 64, activation: 'relu' };
  assert.equal(seedFigure(run(edited)).kind, 'none', 'other layers are not the seed’s model');
  assert.equal(seedFigure(run(presetSpec('rnn-128'))).kind, 'none', 'a seed that reported no accuracy');
});

test('the Paint view finds the newest finished run of the recommended reader by its layers and settings, not its name', () => {
  const reader = findRecipe(READER_RECIPE)!;
  assert.equal(recipeRun([], reader), undefined);
  const plain = run(presetSpec('cnn-16-36'));
  assert.equal(recipeRun([plain], reader), undefined, "the seed's own settings are not the recipe");
  const older = run({ ...modelSpecFor(READER_RECIPE), name: 'renamed' }, 60000, { runId: 'older' });
  const newer = run(modelSpecFor(READER_RECIPE), 60000, { runId: 'newer' });
  assert.equal(recipeRun([older, plain], reader)?.runId, 'older');
  assert.equal(recipeRun([older, newer, plain], reader)?.runId, 'newer');
  assert.equal(recipeRun([run(modelSpecFor(READER_RECIPE), 6000)], reader), undefined, 'fewer images');
  assert.equal(recipeRun([run(modelSpecFor(READER_RECIPE), 60000, { status: 'stopped', epochsCompleted: 2 })], reader), undefined, 'stopped early');
  assert.equal(recipeRun([run(modelSpecFor(READER_RECIPE), 60000, { hasModel: false })], reader), undefined, 'its model deleted');
  const augmented = findRecipe('mlp-256-augmented')!;
  assert.equal(recipeRun([run(presetSpec('mlp-256'))], augmented), undefined, 'without augmentation');
  assert.equal(recipeRun([run(modelSpecFor('mlp-256-augmented'))], augmented)?.spec.augmentation !== undefined, true);
});
