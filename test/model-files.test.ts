import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildModel } from '../src/models/build';
import { presetSpec } from '../src/shared/presets';
import { importModel, loadModel, saveModel, ModelFileError, type LabMetadata } from '../src/files/model-files';

let dir: string;
let model: tf.LayersModel;
const input = tf.tidy(() => tf.randomUniform([4, 784], 0, 1, 'float32', 3));
const metadata: LabMetadata = { format: 1, name: 'mlp-16-16', createdAt: '2026-11-23T00:00:00.000Z', spec: presetSpec('mlp-16-16'), history: { loss: [0.5, 0.3] }, source: 'trained' };

before(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-models-'));
  model = buildModel(presetSpec('mlp-16-16'), { seed: 1 });
});
after(async () => {
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function predict(m: tf.LayersModel): Promise<Float32Array> {
  return (await (m.predict(input) as tf.Tensor).data()) as Float32Array;
}

test('save then load: the same predictions and the lab metadata', async () => {
  const saved = await saveModel(model, join(dir, 'a'), metadata);
  assert.deepEqual((await readdir(saved.dir)).sort(), ['model.json', 'weights.bin']);
  const loaded = await loadModel(saved.dir);
  assert.deepEqual(await predict(loaded.model), await predict(model));
  assert.deepEqual(loaded.metadata, metadata);
  assert.deepEqual(loaded.inputShape, [784]);
  const json = JSON.parse(await readFile(saved.modelJson, 'utf8'));
  assert.equal(json.format, 'layers-model');
});

test('a saved model is plain TensorFlow.js: it loads from memory and over HTTP with no lab code', async () => {
  const folder = join(dir, 'a');
  const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  const weights = await readFile(join(folder, 'weights.bin'));
  const fromMemory = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
  );
  assert.deepEqual(await predict(fromMemory), await predict(model));

  const server: Server = createServer(async (req, res) => {
    try {
      res.end(await readFile(join(folder, (req.url ?? '').replace(/^\//, ''))));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const overHttp = await tf.loadLayersModel(`http://127.0.0.1:${(server.address() as AddressInfo).port}/model.json`);
    assert.deepEqual(await predict(overHttp), await predict(model));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** What tensorflowjs_converter writes for a Keras Sequential(Dense 16 relu, Dense 10 softmax): snake_case, two shards. */
async function kerasExport(folder: string, inputShape: number[] = [784], classes = 10): Promise<string> {
  await mkdir(folder, { recursive: true });
  const features = inputShape.reduce((a, b) => a * b, 1);
  const layers = [
    ...(inputShape.length > 1 ? [{ class_name: 'Flatten', config: { name: 'flatten', trainable: true, batch_input_shape: [null, ...inputShape], dtype: 'float32', data_format: 'channels_last' } }] : []),
    { class_name: 'Dense', config: { name: 'dense', trainable: true, ...(inputShape.length === 1 ? { batch_input_shape: [null, ...inputShape] } : {}), dtype: 'float32', units: 16, activation: 'relu', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} } } },
    { class_name: 'Dense', config: { name: 'dense_1', trainable: true, dtype: 'float32', units: classes, activation: 'softmax', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} } } },
  ];
  const weights = [
    { name: 'dense/kernel', shape: [features, 16], dtype: 'float32' },
    { name: 'dense/bias', shape: [16], dtype: 'float32' },
    { name: 'dense_1/kernel', shape: [16, classes], dtype: 'float32' },
    { name: 'dense_1/bias', shape: [classes], dtype: 'float32' },
  ];
  const floats = new Float32Array(features * 16 + 16 + 16 * classes + classes).map((_, i) => Math.sin(i) * 0.1);
  const bytes = new Uint8Array(floats.buffer);
  const half = Math.floor(bytes.length / 2);
  await writeFile(join(folder, 'group1-shard1of2.bin'), bytes.subarray(0, half));
  await writeFile(join(folder, 'group1-shard2of2.bin'), bytes.subarray(half));
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'keras v2.13.1',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { keras_version: '2.13.1', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'sequential', layers } } },
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights }],
  };
  await writeFile(join(folder, 'model.json'), JSON.stringify(modelJson));
  return join(folder, 'model.json');
}

test('imports a Keras model converted by tensorflowjs_converter (two shards) and it predicts', async () => {
  const source = await kerasExport(join(dir, 'keras'));
  const imported = await importModel(source, join(dir, 'imported'));
  assert.equal(imported.metadata?.source, 'imported');
  const probabilities = await predict(imported.model);
  assert.equal(probabilities.length, 40);
  assert.ok(Math.abs(probabilities.subarray(0, 10).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.deepEqual((await readdir(join(dir, 'imported'))).sort(), ['model.json', 'weights.bin']);
  const again = await loadModel(join(dir, 'imported'));
  assert.deepEqual(await predict(again.model), probabilities);
  const square = await loadModel(await kerasExport(join(dir, 'keras28'), [28, 28, 1]));
  assert.deepEqual(square.inputShape, [28, 28, 1]);
});

async function refused(prepare: (folder: string) => Promise<void>, message: RegExp): Promise<void> {
  const folder = await mkdtemp(join(dir, 'bad-'));
  await kerasExport(folder);
  await prepare(folder);
  await assert.rejects(loadModel(folder), (error: Error) => {
    assert.ok(error instanceof ModelFileError, String(error));
    assert.match(error.message, /model\.json: /);
    assert.match(error.message, message);
    return true;
  });
}

async function editJson(folder: string, edit: (json: any) => void): Promise<void> {
  const path = join(folder, 'model.json');
  const json = JSON.parse(await readFile(path, 'utf8'));
  edit(json);
  await writeFile(path, JSON.stringify(json));
}

test('untrusted model files are refused with what is wrong named', async () => {
  await refused((f) => writeFile(join(f, 'model.json'), '{"modelTopology": '), /is not valid JSON/);
  await refused((f) => editJson(f, (j) => delete j.weightsManifest), /has no weightsManifest/);
  await refused((f) => editJson(f, (j) => delete j.modelTopology), /has no modelTopology/);
  await refused((f) => editJson(f, (j) => (j.weightsManifest[0].paths[0] = '../evil.bin')), /weight path "\.\.\/evil\.bin" leaves the model's folder/);
  await refused((f) => editJson(f, (j) => (j.weightsManifest[0].paths[0] = '/etc/passwd')), /weight path "\/etc\/passwd" leaves the model's folder/);
  await refused((f) => editJson(f, (j) => (j.weightsManifest[0].paths[0] = 'http://example.com/w.bin')), /is not a file name/);
  await refused((f) => rm(join(f, 'group1-shard2of2.bin')), /weight file group1-shard2of2\.bin is missing/);
  await refused(async (f) => writeFile(join(f, 'group1-shard2of2.bin'), new Uint8Array(8)), /the weights manifest describes 50920 bytes but the weight files hold \d+/);
  await refused(async (f) => writeFile(join(f, 'group1-shard2of2.bin'), new Uint8Array(300 * 2 ** 20)), /over the 209715200-byte limit/);
  await refused((f) => editJson(f, (j) => (j.weightsManifest[0].weights[0].shape = [784, -16])), /dimensions must be whole numbers/);
  await refused((f) => editJson(f, (j) => (j.weightsManifest[0].weights[0].shape = [1e6, 1e6])), /more than 100000000 values/);
  await refused((f) => writeFile(join(f, 'model.json'), ' '.repeat(11 * 2 ** 20)), /over the 10485760-byte limit/);
  await refused((f) => editJson(f, (j) => (j.modelTopology.model_config.class_name = 'Bogus')), /TensorFlow\.js cannot build it/);
  const wrongInput = await mkdtemp(join(dir, 'input-'));
  await assert.rejects(loadModel(await kerasExport(wrongInput, [32, 32, 3])), /input shape \[32,32,3\] is not 28×28 gray \(784, 28×28 or 28×28×1\)/);
  const wrongOutput = await mkdtemp(join(dir, 'output-'));
  await assert.rejects(loadModel(await kerasExport(wrongOutput, [784], 5)), /output shape \[5\] does not give the 10 digit classes/);
});

test('a save that fails midway leaves the model already there byte for byte, and no temp files', async () => {
  const target = join(dir, 'keep');
  await saveModel(model, target, metadata);
  const before = [await readFile(join(target, 'model.json')), await readFile(join(target, 'weights.bin'))];
  const circular: Record<string, unknown> = {};
  circular.self = circular; // JSON.stringify throws on it, inside the save
  await assert.rejects(saveModel(model, target, { ...metadata, evaluation: circular }), /circular/i);
  assert.deepEqual([await readFile(join(target, 'model.json')), await readFile(join(target, 'weights.bin'))], before);
  assert.deepEqual((await readdir(dir)).filter((n) => n.includes('.tmp')), []);
  // an unwritable destination fails cleanly too
  const locked = join(dir, 'locked');
  await mkdir(locked);
  await chmod(locked, 0o500);
  try {
    if (process.getuid?.() !== 0) {
      await assert.rejects(saveModel(model, join(locked, 'm'), metadata), /EACCES/);
    }
  } finally {
    await chmod(locked, 0o700);
  }
});
