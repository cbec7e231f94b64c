// The tensorflow engine (tfjs-node linked to a Python TensorFlow) against wasm, on real MNIST:
// the same model, weights and batches take the same first steps, and evaluate and predict agree.
// Dropout layers are left out: each backend draws its masks from its own random stream, so a
// seed repeats a run on one backend, not across them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/backend';
import { loadMnist } from '../src/data/mnist';
import { buildModel } from '../src/models/build';
import { INPUT_SHAPES, type ModelSpec } from '../src/shared/model-spec';
import { presetSpec } from '../src/shared/presets';
import { BatchMaker, shuffledOrder, slice } from '../src/training/batches';
import { seededUniform } from '../src/models/random';
import { createStepper } from '../src/training/stepper';
import { evaluate, probabilities } from '../src/training/evaluate';
import { noTensorflowEngine } from './helpers/engines';

const PRESETS = ['mlp-256', 'cnn-16-36', 'lstm-128'];
const STEPS = 3;
const TEST_IMAGES = 500;
/**
 * Max |tensorflow − wasm| over a step's loss, relative. Both compute in float32 (ε ≈ 6e-8) with
 * their own kernels (oneDNN against XNNPACK) and summation orders, so sums of 10^3–10^5 terms
 * differ in the last bits, and Adam's 1/√v scaling can amplify that over steps; here the losses
 * differed by about 5e-7 (relative) in the first three steps. 1e-4 leaves room for that to grow
 * and is far below what a real difference (a wrong gradient, another initializer or optimizer)
 * makes: the loss moves by 0.01–0.1 a step.
 */
const LOSS_TOLERANCE = 1e-4;
/** Probabilities after training: the same float32 drift, through one forward pass. */
const PROBABILITY_TOLERANCE = 1e-3;

function withoutDropout(preset: string): ModelSpec {
  const spec = presetSpec(preset);
  return { ...spec, layers: spec.layers.filter((layer) => layer.type !== 'Dropout') };
}

interface Steps {
  losses: number[];
  weights: { values: Float32Array; shape: number[] }[];
}

async function firstSteps(backend: 'wasm' | 'tensorflow', preset: string, start: { values: Float32Array; shape: number[] }[] | null): Promise<Steps & { model: tf.LayersModel }> {
  await initEngine(backend);
  const data = await loadMnist();
  const spec = withoutDropout(preset);
  const inputShape = [...INPUT_SHAPES[spec.input]];
  const model = buildModel(spec, { seed: 1 });
  if (start) model.setWeights(start.map((w) => tf.tensor(w.values, w.shape)));
  const weights = model.getWeights().map((w) => ({ values: w.dataSync().slice() as Float32Array, shape: w.shape }));
  const examples = slice(data.train, 0, spec.batchSize * STEPS);
  const maker = new BatchMaker(examples, spec.batchSize, inputShape);
  const order = shuffledOrder(examples.count, seededUniform(1));
  const stepper = await createStepper(model, { workers: 1, backend, spec, seed: 1, inputShape });
  const losses: number[] = [];
  try {
    for (let b = 0; b < STEPS; b++) losses.push((await stepper.trainBatch(maker.fill(order, b))).loss);
  } finally {
    await stepper.dispose();
  }
  return { losses, weights, model };
}

for (const preset of PRESETS) {
  test(`${preset}: tensorflow takes wasm's first ${STEPS} steps, then evaluates and predicts alike`, { skip: noTensorflowEngine() }, async (t) => {
    const onWasm = await firstSteps('wasm', preset, null);
    const data = await loadMnist();
    const spec = presetSpec(preset);
    const inputShape = [...INPUT_SHAPES[spec.input]];
    const testSet = slice(data.test, 0, TEST_IMAGES);
    const wasmEvaluation = await evaluate(onWasm.model, testSet, inputShape);
    const wasmProbabilities = await probabilities(onWasm.model, testSet.images, TEST_IMAGES, inputShape);
    onWasm.model.dispose();

    const onTensorflow = await firstSteps('tensorflow', preset, onWasm.weights);
    assert.equal(tf.getBackend(), 'tensorflow');
    const tfEvaluation = await evaluate(onTensorflow.model, testSet, inputShape);
    const tfProbabilities = await probabilities(onTensorflow.model, testSet.images, TEST_IMAGES, inputShape);
    onTensorflow.model.dispose();

    const what = `wasm ${onWasm.losses.map((l) => l.toFixed(6)).join(' ')} / tensorflow ${onTensorflow.losses.map((l) => l.toFixed(6)).join(' ')}`;
    t.diagnostic(what);
    assert.ok(onWasm.losses[STEPS - 1] < onWasm.losses[0], `the loss falls: ${what}`);
    onWasm.losses.forEach((loss, i) => {
      assert.ok(Math.abs(onTensorflow.losses[i] - loss) <= LOSS_TOLERANCE * loss, `step ${i + 1}: ${what}`);
    });
    const worst = Math.max(...wasmProbabilities.map((p, i) => Math.abs(p - tfProbabilities[i])));
    assert.ok(worst <= PROBABILITY_TOLERANCE, `max probability difference ${worst}`);
    const disagree = wasmEvaluation.confusionMatrix.flat().reduce((sum, n, i) => sum + Math.abs(n - tfEvaluation.confusionMatrix.flat()[i]), 0) / 2;
    assert.ok(disagree <= 2, `${disagree} of ${TEST_IMAGES} test images read differently`);
    assert.ok(Math.abs(tfEvaluation.accuracy - wasmEvaluation.accuracy) <= 2 / TEST_IMAGES, `accuracy ${wasmEvaluation.accuracy} vs ${tfEvaluation.accuracy}`);
    assert.ok(Math.abs(tfEvaluation.loss - wasmEvaluation.loss) <= LOSS_TOLERANCE * wasmEvaluation.loss, `loss ${wasmEvaluation.loss} vs ${tfEvaluation.loss}`);
    await initEngine('auto');
  });
}
