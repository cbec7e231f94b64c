// The webgpu engine (Dawn + @tensorflow/tfjs-backend-webgpu) against wasm: every preset trains
// the same few steps on real MNIST from the same seed and batches, and predicts alike. Here it
// runs on Mesa's software Vulkan (lavapipe), which .ci/run installs; it is slow, so the data is small.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadMnist, type Mnist } from '../src/data/mnist';
import { engineReport, initEngine } from '../src/engine/backend';
import { describeEngines, jobEngines } from '../src/engine/engines';
import { isSoftwareAdapter, mayHaveGpu } from '../src/engine/webgpu-backend';
import { buildModel } from '../src/models/build';
import { seededUniform } from '../src/models/random';
import { INPUT_SHAPES } from '../src/shared/model-spec';
import { presetSpec } from '../src/shared/presets';
import { BatchMaker, shuffledOrder, slice } from '../src/training/batches';
import { withSeededRandom } from '../src/training/seeded-random';
import { createStepper } from '../src/training/stepper';
import { noWebgpuEngine, webgpuEngine } from './helpers/engines';

const SEED = 5;
const BATCH = 8;
const STEPS = 3;
/** the batch size again, so that predict reuses the training step's compiled shaders */
const PROBE = BATCH;
/**
 * Every kernel the presets train with, once: the others differ from these only in sizes or
 * initial weights (mlp-16-16, mlp-256, cnn-16-36, lstm-50-sgd), and compiling the shaders is what
 * costs time on a software adapter.
 */
const PRESETS = ['mlp-50-sgd', 'mlp-512', 'mlp-256-dropout', 'cnn-16-16', 'lstm-128', 'rnn-128', 'gru-128'];
/**
 * Both backends compute in float32 and differ only in the order of sums: over 3 steps of 16
 * images every preset here stayed within 4.2e-7 (relative loss; absolute probability, measured
 * on lavapipe), a few float32 ulps. 1e-5 leaves room for other orders on other adapters; a
 * missing or wrong kernel moves the loss by 1e-3 or more.
 */
const LOSS_TOLERANCE = 1e-5;
const PROBABILITY_TOLERANCE = 1e-5;

let data: Mnist;

before(async () => {
  data = await loadMnist();
});

interface Run {
  losses: number[];
  probabilities: Float32Array;
  /** the backend it ran on */
  backend: string;
}

/** STEPS batches of BATCH real training images through the lab's stepper, then PROBE test images. */
async function trainSteps(preset: string, backend: 'wasm' | 'webgpu'): Promise<Run> {
  await initEngine(backend);
  const spec = presetSpec(preset);
  spec.batchSize = BATCH;
  const inputShape = [...INPUT_SHAPES[spec.input]];
  const examples = slice(data.train, 0, BATCH * STEPS);
  const order = shuffledOrder(examples.count, seededUniform(SEED));
  const model = buildModel(spec, { seed: SEED });
  const stepper = await createStepper(model, { workers: 1, backend, spec, seed: SEED, inputShape });
  try {
    const maker = new BatchMaker(examples, spec.batchSize, inputShape);
    const losses: number[] = [];
    for (let b = 0; b < maker.batches(); b++) losses.push((await stepper.trainBatch(maker.fill(order, b))).loss);
    const probe = slice(data.test, 0, PROBE);
    return { losses, probabilities: await stepper.predict(probe.images, probe.count), backend: tf.getBackend() };
  } finally {
    await stepper.dispose();
    model.dispose();
  }
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(a));
}

test('the adapter is software exactly when Dawn or its name says so', () => {
  assert.equal(isSoftwareAdapter({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe: Mesa 25.0.7' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'google', device: 'swiftshader-device', description: 'SwiftShader Device (Subzero)' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3060', isFallbackAdapter: false }), false);
  assert.equal(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' }), false);
});

test("'auto' trains on webgpu only on a hardware adapter and says why", () => {
  const adapter = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060', software: false };
  const hardware = jobEngines('auto', true, { ok: true, adapter });
  assert.deepEqual(hardware.map((j) => j.backend), ['webgpu', 'webgpu', 'wasm']);
  assert.equal(hardware[0].why, 'a GPU: NVIDIA GeForce RTX 3060 (hardware adapter)');
  const software = jobEngines('auto', true, { ok: true, adapter: { ...adapter, description: 'llvmpipe: Mesa 25.0.7', software: true } });
  assert.deepEqual(software.map((j) => j.backend), ['tensorflow', 'tensorflow', 'wasm']);
  assert.deepEqual(jobEngines('auto', false, { ok: false, why: 'webgpu is not installed', error: '' }).map((j) => j.backend), ['wasm', 'wasm', 'wasm']);
  const forced = jobEngines('webgpu', false);
  assert.deepEqual(forced.map((j) => j.backend), ['webgpu', 'webgpu', 'wasm']);
  assert.equal(forced[2].whyKey, 'gpuSyncRead');
});

test('webgpu is listed with its adapter, and auto does not pick a software one', { skip: noWebgpuEngine() }, async () => {
  const report = await describeEngines('auto');
  const webgpu = report.engines.find((e) => e.backend === 'webgpu');
  assert.ok(webgpu?.available, JSON.stringify(webgpu));
  const adapter = webgpuEngine();
  assert.ok(adapter);
  assert.ok(webgpu.detail.startsWith(adapter.description), webgpu.detail);
  if (adapter.software) {
    assert.equal(webgpu.detailKey, 'gpuSoftware');
    assert.notEqual(report.jobs[0].backend, 'webgpu');
    const auto = await initEngine('auto');
    assert.notEqual(auto.backend, 'webgpu');
    // on a Linux machine without a GPU device, auto does not even load Dawn
    assert.match(auto.reason, mayHaveGpu() ? /; not webgpu: .* \(software adapter\) runs on the CPU, slower than the CPU engines$/ : /; not webgpu: this machine has no GPU device \(no render node in \/dev\/dri\)$/);
  }
  const forced = await initEngine('webgpu');
  assert.equal(forced.backend, 'webgpu');
  assert.equal(forced.reason, 'forced by --backend webgpu');
  // the version names the adapter; whether it is software goes apart, for each page to say in its language
  assert.equal(forced.version, `tfjs ${tf.version.tfjs}, ${webgpu.detailParams.adapter}`);
  assert.equal(engineReport(forced).softwareAdapter, adapter.software);
});

for (const preset of PRESETS) {
  test(`${preset}: webgpu follows wasm for ${STEPS} steps of ${BATCH} MNIST images and predicts alike`, { skip: noWebgpuEngine() }, async () => {
    // dropout draws from Math.random, which a seeded run seeds (as fit does)
    const wasm = await withSeededRandom(SEED, () => trainSteps(preset, 'wasm'));
    const gpu = await withSeededRandom(SEED, () => trainSteps(preset, 'webgpu'));
    assert.equal(gpu.backend, 'webgpu');
    const what = `wasm ${wasm.losses.map((l) => l.toFixed(6))}, webgpu ${gpu.losses.map((l) => l.toFixed(6))}`;
    const lossGap = Math.max(...wasm.losses.map((l, i) => relative(l, gpu.losses[i])));
    let probabilityGap = 0;
    for (let i = 0; i < wasm.probabilities.length; i++) probabilityGap = Math.max(probabilityGap, Math.abs(wasm.probabilities[i] - gpu.probabilities[i]));
    console.log(`${preset}: loss gap ${lossGap.toExponential(2)}, probability gap ${probabilityGap.toExponential(2)}`);
    assert.ok(gpu.losses.every(Number.isFinite), what);
    assert.ok(lossGap <= LOSS_TOLERANCE, `${what}: gap ${lossGap}`);
    assert.ok(probabilityGap <= PROBABILITY_TOLERANCE, `probabilities differ by ${probabilityGap}`);
  });
}
