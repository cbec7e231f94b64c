import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { buildModel } from '../src/models/build';
import { presetSpec } from '../src/shared/presets';
import { importModel, loadModel, saveModel, ModelFileError, type LabMetadata } from '../src/files/model-files';

let dir: string;
let mlp: tf.LayersModel;
let server: Server;
let baseUrl: string;
const flat = tf.tidy(() => tf.randomUniform([4, 784], 0, 1, 'float32', 3));
const metadata: LabMetadata = {
  format: 1,
  name: 'MLP 16×16', // not ASCII: SavedModel.bytes counts bytes, not characters
  createdAt: '2026-11-23T00:00:00.000Z',
  spec: presetSpec('mlp-16-16'),
  history: { loss: [0.5, NaN], acc: [0.8, 0.9] }, // NaN goes through JSON as null and comes back
  evaluation: { loss: 0.3, accuracy: 0.91 },
  backend: 'cpu',
  datasetSha256: { 'train-images-idx3-ubyte.gz': 'ab'.repeat(32) },
  source: 'trained',
};

/** Serves `dir` read-only, as any static web server would. */
function serve(root: string): Server {
  return createServer(async (req, res) => {
    const path = resolve(root, '.' + decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      if (!path.startsWith(root + sep)) throw new Error('outside');
      res.end(await readFile(path));
    } catch {
      res.writeHead(404).end();
    }
  });
}

before(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-models-'));
  mlp = buildModel(presetSpec('mlp-16-16'), { seed: 1 });
  server = serve(dir);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  mlp.dispose();
  flat.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function predict(model: tf.LayersModel, input: tf.Tensor = flat): Promise<Float32Array> {
  const output = model.predict(input) as tf.Tensor;
  const values = (await output.data()) as Float32Array;
  output.dispose();
  return values;
}

async function fileBytes(folder: string): Promise<Buffer[]> {
  return Promise.all(['model.json', 'weights.bin'].map((name) => readFile(join(folder, name))));
}

function dispose(...things: { dispose(): unknown }[]): void {
  for (const thing of things) thing.dispose();
}

/** Names in `folder` a save leaves only when it failed to clean up. */
async function leftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => /\.(tmp|old)$/.test(name));
}

test('save then load: the same predictions and the lab metadata', async () => {
  const saved = await saveModel(mlp, join(dir, 'mlp'), metadata);
  assert.deepEqual((await readdir(saved.dir)).sort(), ['model.json', 'weights.bin']);
  assert.equal(saved.bytes, (await stat(saved.modelJson)).size + (await stat(saved.weightsFile)).size);
  const loaded = await loadModel(saved.dir);
  assert.deepEqual(await predict(loaded.model), await predict(mlp));
  assert.deepEqual(loaded.metadata, metadata);
  assert.deepEqual(loaded.inputShape, [784]);
  assert.equal(loaded.dir, saved.dir);
  const json = JSON.parse(await readFile(saved.modelJson, 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.match(json.generatedBy, /^TensorFlow\.js tfjs-layers v4\./);
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  assert.equal((await loadModel(saved.modelJson)).metadata?.name, 'MLP 16×16');
  loaded.model.dispose();
});

test('a CNN round trips; a model trained one step saved over it replaces it whole', async () => {
  const cnn = buildModel(presetSpec('cnn-16-16'), { seed: 2 });
  const images = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5);
  const target = join(dir, 'replaced');
  await saveModel(cnn, target, { ...metadata, spec: presetSpec('cnn-16-16') });
  const loadedCnn = await loadModel(target);
  assert.deepEqual(loadedCnn.inputShape, [28, 28, 1]);
  assert.equal(loadedCnn.metadata?.spec?.name, 'cnn-16-16');
  assert.deepEqual(await predict(loadedCnn.model, images), await predict(cnn, images));
  await writeFile(join(target, 'report.json'), '{}');

  // An MLP, not the CNN: a CNN training step takes about a second on the cpu backend.
  const trained = buildModel(presetSpec('mlp-16-16'), { seed: 4 });
  const labels = tf.oneHot(tf.tensor1d([0, 3, 7, 9], 'int32'), 10);
  await trained.trainOnBatch(flat, labels);
  await saveModel(trained, target, metadata);
  assert.deepEqual((await readdir(target)).sort(), ['model.json', 'weights.bin']);
  const loaded = await loadModel(target);
  assert.deepEqual(loaded.inputShape, [784]);
  assert.deepEqual(await predict(loaded.model), await predict(trained));
  assert.deepEqual(await leftovers(dir), []);
  dispose(images, labels, cnn, loadedCnn.model, trained, loaded.model);
});

test('a saved model is plain TensorFlow.js: it loads from memory and over HTTP with no lab code', async () => {
  const folder = join(dir, 'plain');
  await saveModel(mlp, folder, metadata);
  const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  const weights = await readFile(join(folder, 'weights.bin'));
  const fromMemory = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
  );
  assert.deepEqual(await predict(fromMemory), await predict(mlp));

  // tfjs fetches with Node's global fetch.
  const overHttp = await tf.loadLayersModel(`${baseUrl}/plain/model.json`);
  assert.deepEqual(await predict(overHttp), await predict(mlp));
  dispose(fromMemory, overHttp);
});

interface KerasOptions {
  inputShape?: number[];
  classes?: number;
  /** layer configs as tfjs writes camelCase instead of Keras's snake_case */
  camelCase?: boolean;
  /** the first kernel stored as uint8, as tensorflowjs_converter --quantize_uint8 does */
  quantize?: boolean;
}

const QUANT = { scale: 0.001, min: -0.1 };

function camel(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), value]));
}

/** What tensorflowjs_converter writes for a Keras Sequential([Flatten,] Dense 16 relu, Dense N softmax): two shards. */
async function kerasExport(folder: string, options: KerasOptions = {}): Promise<string> {
  const { inputShape = [784], classes = 10 } = options;
  await mkdir(folder, { recursive: true });
  const features = inputShape.reduce((a, b) => a * b, 1);
  const batchInputShape = { batch_input_shape: [null, ...inputShape] };
  const dense = (name: string, units: number, activation: string, first: boolean) => ({
    class_name: 'Dense',
    config: {
      name,
      trainable: true,
      ...(first ? batchInputShape : {}),
      dtype: 'float32',
      units,
      activation,
      use_bias: true,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
  });
  const flatten = { class_name: 'Flatten', config: { name: 'flatten', trainable: true, ...batchInputShape, dtype: 'float32', data_format: 'channels_last' } };
  const layers = [...(inputShape.length > 1 ? [flatten] : []), dense('dense', 16, 'relu', inputShape.length === 1), dense('dense_1', classes, 'softmax', false)].map(
    (layer) => (options.camelCase ? { ...layer, config: camel(layer.config) } : layer),
  );
  const kernel = features * 16;
  const floats = new Float32Array(16 + 16 * classes + classes).map((_, i) => Math.sin(i) * 0.1);
  const kernelBytes = options.quantize
    ? new Uint8Array(kernel).map((_, i) => (i * 7) % 200)
    : new Uint8Array(new Float32Array(kernel).map((_, i) => Math.cos(i) * 0.05).buffer);
  const bytes = Buffer.concat([kernelBytes, new Uint8Array(floats.buffer)]);
  const half = Math.floor(bytes.length / 2);
  await writeFile(join(folder, 'group1-shard1of2.bin'), bytes.subarray(0, half));
  await writeFile(join(folder, 'group1-shard2of2.bin'), bytes.subarray(half));
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'keras v2.13.1',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.13.1',
      backend: 'tensorflow',
      model_config: { class_name: 'Sequential', config: { name: 'sequential', layers } },
      training_config: { loss: 'categorical_crossentropy', metrics: [['accuracy']], optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.001 } } },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
        weights: [
          { name: 'dense/kernel', shape: [features, 16], dtype: 'float32', ...(options.quantize ? { quantization: { dtype: 'uint8', ...QUANT } } : {}) },
          { name: 'dense/bias', shape: [16], dtype: 'float32' },
          { name: 'dense_1/kernel', shape: [16, classes], dtype: 'float32' },
          { name: 'dense_1/bias', shape: [classes], dtype: 'float32' },
        ],
      },
    ],
  };
  await writeFile(join(folder, 'model.json'), JSON.stringify(modelJson));
  return join(folder, 'model.json');
}

/** Plain tfjs on the converter's files: shards concatenated by hand, no lab code. */
async function plainTfjs(modelJsonFile: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(modelJsonFile, 'utf8'));
  const folder = join(modelJsonFile, '..');
  const shards = await Promise.all(json.weightsManifest[0].paths.map((p: string) => readFile(join(folder, p))));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(Buffer.concat(shards)).buffer }));
}

test('imports a Keras model converted by tensorflowjs_converter (two shards) and it predicts', async () => {
  const source = await kerasExport(join(dir, 'keras'));
  const imported = await importModel(source, join(dir, 'imported'));
  assert.equal(imported.metadata?.source, 'imported');
  assert.equal(imported.metadata?.name, 'keras');
  assert.deepEqual(imported.inputShape, [784]);
  const probabilities = await predict(imported.model);
  assert.equal(probabilities.length, 40);
  assert.ok(Math.abs(probabilities.subarray(0, 10).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  const reference = await plainTfjs(source);
  assert.deepEqual(probabilities, await predict(reference));

  assert.deepEqual((await readdir(join(dir, 'imported'))).sort(), ['model.json', 'weights.bin']);
  const copied = JSON.parse(await readFile(join(dir, 'imported', 'model.json'), 'utf8'));
  assert.equal(copied.modelTopology.keras_version, '2.13.1', 'the topology is copied as it was');
  assert.equal(copied.convertedBy, 'TensorFlow.js Converter v4.22.0');
  const again = await loadModel(join(dir, 'imported'));
  assert.deepEqual(await predict(again.model), probabilities);
  assert.equal(again.metadata?.source, 'imported');
  dispose(imported.model, reference, again.model);
});

test('converter variants: 28×28×1 input, camelCase configs, uint8-quantized weights, Functional and Model topologies', async () => {
  const square = await loadModel(await kerasExport(join(dir, 'keras28'), { inputShape: [28, 28, 1] }));
  assert.deepEqual(square.inputShape, [28, 28, 1]);
  const camelSource = await kerasExport(join(dir, 'camel'), { inputShape: [28, 28], camelCase: true });
  const camel = await loadModel(camelSource);
  assert.deepEqual(camel.inputShape, [28, 28]);
  const camelReference = await plainTfjs(camelSource);
  const sequences = tf.randomUniform([2, 28, 28], 0, 1, 'float32', 4);
  assert.deepEqual(await predict(camel.model, sequences), await predict(camelReference, sequences));

  const quantizedSource = await kerasExport(join(dir, 'quantized'), { quantize: true });
  const quantized = await importModel(quantizedSource, join(dir, 'quantized-imported'));
  const quantizedReference = await plainTfjs(quantizedSource);
  assert.deepEqual(await predict(quantized.model), await predict(quantizedReference));
  // one byte per kernel value, still: the imported copy stays quantized
  assert.equal((await stat(join(dir, 'quantized-imported', 'weights.bin'))).size, 784 * 16 + 4 * (16 + 16 * 10 + 10));

  const input = tf.input({ shape: [28, 28], name: 'digits' });
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor;
  const functional = tf.model({ inputs: input, outputs: output });
  const saved = await saveModel(functional, join(dir, 'functional'), metadata);
  for (const className of ['Model', 'Functional']) {
    const json = JSON.parse(await readFile(saved.modelJson, 'utf8'));
    json.modelTopology.class_name = className;
    await writeFile(saved.modelJson, JSON.stringify(json));
    const loaded = await loadModel(saved.dir);
    assert.deepEqual(await predict(loaded.model, sequences), await predict(functional, sequences));
    loaded.model.dispose();
  }
  dispose(square.model, camel.model, camelReference, quantized.model, quantizedReference, sequences, functional);
});

async function refused(load: (folder: string) => Promise<unknown>, prepare: (folder: string) => Promise<unknown>, message: RegExp): Promise<void> {
  const folder = await mkdtemp(join(dir, 'bad-'));
  await kerasExport(folder);
  await prepare(folder);
  await assert.rejects(load(folder), (error: Error) => {
    assert.ok(error instanceof ModelFileError, String(error));
    assert.ok(error.message.startsWith(join(folder, 'model.json') + ': '), error.message);
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

const firstPath = (path: string) => (json: any) => (json.weightsManifest[0].paths[0] = path);
const firstShape = (shape: unknown) => (json: any) => (json.weightsManifest[0].weights[0].shape = shape);
const MANIFEST_BYTES = 4 * (784 * 16 + 16 + 16 * 10 + 10);

test('untrusted model files are refused with the file and what is wrong named', async (t) => {
  const load = (folder: string) => loadModel(folder);
  const cases: [string, (folder: string) => Promise<unknown>, RegExp][] = [
    ['malformed JSON', (f) => writeFile(join(f, 'model.json'), '{"modelTopology": '), /is not valid JSON \(/],
    ['not an object', (f) => writeFile(join(f, 'model.json'), '[1, 2]'), /a JSON object is expected/],
    ['no weightsManifest', (f) => editJson(f, (j) => delete j.weightsManifest), /has no weightsManifest/],
    ['no modelTopology', (f) => editJson(f, (j) => delete j.modelTopology), /has no modelTopology/],
    ['a graph model', (f) => editJson(f, (j) => (j.format = 'graph-model')), /is a graph-model, not a layers-model/],
    ['parent path', (f) => editJson(f, firstPath('../evil.bin')), /weight path "\.\.\/evil\.bin" leaves the model's folder/],
    ['absolute path', (f) => editJson(f, firstPath('/etc/passwd')), /weight path "\/etc\/passwd" leaves the model's folder/],
    ['parent path inside', (f) => editJson(f, firstPath('sub/../../evil.bin')), /leaves the model's folder/],
    ['Windows parent path', (f) => editJson(f, firstPath('..\\evil.bin')), /leaves the model's folder/],
    ['URL', (f) => editJson(f, firstPath('http://example.com/w.bin')), /weight path "http:\/\/example\.com\/w\.bin" is not a file name/],
    ['file URL', (f) => editJson(f, firstPath('file:///etc/passwd')), /is not a file name/],
    ['not a string', (f) => editJson(f, firstPath(7 as unknown as string)), /weight path 7 is not a file name/],
    ['a symlink out', async (f) => {
      await writeFile(join(dir, 'outside.bin'), await readFile(join(f, 'group1-shard1of2.bin')));
      await rm(join(f, 'group1-shard1of2.bin'));
      await symlink(join(dir, 'outside.bin'), join(f, 'group1-shard1of2.bin'));
    }, /weight file group1-shard1of2\.bin links outside the model's folder/],
    ['a folder for a shard', async (f) => {
      await rm(join(f, 'group1-shard2of2.bin'));
      await mkdir(join(f, 'group1-shard2of2.bin'));
    }, /weight file group1-shard2of2\.bin is not a regular file/],
    ['missing shard', (f) => rm(join(f, 'group1-shard2of2.bin')), /weight file group1-shard2of2\.bin is missing/],
    ['short shard', (f) => writeFile(join(f, 'group1-shard2of2.bin'), new Uint8Array(8)), new RegExp(`describes ${MANIFEST_BYTES} bytes but the weight files hold ${MANIFEST_BYTES / 2 + 8}$`)],
    ['long shard', (f) => appendFile(join(f, 'group1-shard2of2.bin'), new Uint8Array(4)), new RegExp(`describes ${MANIFEST_BYTES} bytes but the weight files hold ${MANIFEST_BYTES + 4}$`)],
    // sparse: 300 MB on paper, refused from its size without being read
    ['huge shard', (f) => truncate(join(f, 'group1-shard2of2.bin'), 300 * 2 ** 20), new RegExp(`describes ${MANIFEST_BYTES} bytes but the weight files hold ${MANIFEST_BYTES / 2 + 300 * 2 ** 20}$`)],
    ['over 200 MB of weights', (f) => editJson(f, firstShape([10000, 6000])), /describes more than the 200 MB limit of weights/],
    ['negative dimension', (f) => editJson(f, firstShape([784, -16])), /weight dense\/kernel has shape \[784,-16\]: dimensions must be whole numbers ≥ 0/],
    ['fractional dimension', (f) => editJson(f, firstShape([784, 1.5])), /dimensions must be whole numbers/],
    ['absurd shape', (f) => editJson(f, firstShape([1e6, 1e6])), /has shape \[1000000,1000000\], more than 100000000 values/],
    ['shape not a list', (f) => editJson(f, firstShape('784x16')), /a weights manifest entry is malformed/],
    ['unknown dtype', (f) => editJson(f, (j) => (j.weightsManifest[0].weights[0].dtype = 'complex64')), /weight dense\/kernel has unsupported dtype "complex64"/],
    ['unknown quantization', (f) => editJson(f, (j) => (j.weightsManifest[0].weights[0].quantization = { dtype: 'int4' })), /unsupported quantization/],
    ['model.json over 10 MB', (f) => truncate(join(f, 'model.json'), 11 * 2 ** 20), /is 11534336 bytes, over the 10 MB limit for a model\.json/],
    ['unknown layer class', (f) => editJson(f, (j) => (j.modelTopology.model_config.class_name = 'Bogus')), /TensorFlow\.js cannot build it: .*Bogus/],
    ['weights that do not fit the layers', (f) => editJson(f, (j) => (j.weightsManifest[0].weights[1].name = 'dense/other')), /TensorFlow\.js cannot build it/],
    ['wrong input', (f) => kerasExport(f, { inputShape: [32, 32, 3] }), /: input shape \[32,32,3\] is not 28×28 gray \(784, 28×28 or 28×28×1\)$/],
    ['wrong output', (f) => kerasExport(f, { classes: 5 }), /: output has 5 classes, the lab needs 10$/],
  ];
  for (const [what, prepare, message] of cases) {
    await t.test(what, () => refused(load, prepare, message));
  }
  // importing checks the same, and leaves nothing at the destination
  await refused((f) => importModel(join(f, 'model.json'), join(dir, 'never')), (f) => editJson(f, firstPath('../evil.bin')), /leaves the model's folder/);
  await refused((f) => importModel(join(f, 'model.json'), join(dir, 'never')), (f) => kerasExport(f, { classes: 5 }), /5 classes/);
  await assert.rejects(stat(join(dir, 'never')), { code: 'ENOENT' });
  await assert.rejects(loadModel(join(dir, 'nowhere')), /nowhere\/model\.json: the model file model\.json is missing/);
});

test('lab metadata is read only when it is the lab\'s: otherwise null, and bad fields are dropped', async () => {
  const folder = join(dir, 'meta');
  const saved = await saveModel(mlp, folder, metadata);
  const cases: [unknown, unknown][] = [
    [undefined, null],
    ['a string', null],
    [{ ...metadata, format: 2 }, null],
    [{ format: 1, createdAt: 'today' }, null],
    [{ format: 1, name: 'x', createdAt: 'today', spec: { name: 'x', layers: 'none' }, history: { loss: ['high'] }, source: 'stolen', backend: 3 }, { format: 1, name: 'x', createdAt: 'today' }],
  ];
  for (const [digitLab, expected] of cases) {
    await editJson(folder, (j) => (j.userDefinedMetadata = digitLab === undefined ? undefined : { digitLab }));
    const loaded = await loadModel(saved.dir);
    assert.deepEqual(loaded.metadata, expected, JSON.stringify(digitLab));
    loaded.model.dispose();
  }
});

test('a save that fails midway leaves the model already there byte for byte, and no temp files', async () => {
  const target = join(dir, 'keep');
  await saveModel(mlp, target, metadata);
  const before = await fileBytes(target);
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  // JSON.stringify throws on it after weights.bin is already written into the temp folder
  await assert.rejects(saveModel(mlp, target, { ...metadata, evaluation: circular }), /circular/i);
  assert.deepEqual(await fileBytes(target), before);
  assert.deepEqual(await readdir(target), ['model.json', 'weights.bin']);
  assert.deepEqual(await leftovers(dir), []);
});

test('a folder or file that is not a model is never replaced', async () => {
  const notes = join(dir, 'documents');
  await mkdir(notes);
  await writeFile(join(notes, 'notes.txt'), 'mine');
  await assert.rejects(saveModel(mlp, notes, metadata), /documents: already exists and is not a model folder \(it has no model\.json\)/);
  await assert.rejects(importModel(await kerasExport(join(dir, 'keras-for-notes')), notes), /not a model folder/);
  assert.deepEqual(await readdir(notes), ['notes.txt']);
  const file = join(dir, 'a-file');
  await writeFile(file, 'mine');
  await assert.rejects(saveModel(mlp, file, metadata), /a-file: already exists and is not a model folder/);
  assert.equal(await readFile(file, 'utf8'), 'mine');
  const empty = join(dir, 'empty');
  await mkdir(empty);
  await saveModel(mlp, empty, metadata);
  assert.deepEqual((await readdir(empty)).sort(), ['model.json', 'weights.bin']);
});

test('an unwritable destination fails cleanly', { skip: process.getuid?.() === 0 ? 'root writes anywhere' : false }, async () => {
  const locked = join(dir, 'locked');
  await saveModel(mlp, join(locked, 'm'), metadata);
  const before = await fileBytes(join(locked, 'm'));
  await chmod(locked, 0o500);
  try {
    await assert.rejects(saveModel(mlp, join(locked, 'm'), metadata), /EACCES/);
    assert.deepEqual(await fileBytes(join(locked, 'm')), before);
  } finally {
    await chmod(locked, 0o700);
  }
  assert.deepEqual(await leftovers(locked), []);
});

/** No Linux pid reaches 2^22 + 1 (pid_max's ceiling): a process that cannot be running. */
const DEAD_PID = 2 ** 22 + 1;

test('a save killed between its two renames: the old model is put back on the next load', async () => {
  const target = join(dir, 'interrupted');
  await saveModel(mlp, target, metadata);
  const before = await fileBytes(target);
  // The state a kill leaves: the old folder under its backup name, the new one under its temp name.
  await rename(target, `${target}.${DEAD_PID}.0123abcd.old`);
  await saveModel(mlp, join(dir, 'scratch'), metadata);
  await rename(join(dir, 'scratch'), `${target}.${DEAD_PID}.4567cdef.tmp`);
  const loaded = await loadModel(target);
  assert.deepEqual(await predict(loaded.model), await predict(mlp));
  assert.deepEqual(await fileBytes(target), before);
  await saveModel(mlp, target, metadata);
  assert.deepEqual(await leftovers(dir), []);
  loaded.model.dispose();
});

const source = (path: string) => JSON.stringify(new URL(path, import.meta.url).pathname);
const SAVE_FOREVER = `
const tf = await import('@tensorflow/tfjs');
const { buildModel } = await import(${source('../src/models/build.ts')});
const { presetSpec } = await import(${source('../src/shared/presets.ts')});
const { saveModel } = await import(${source('../src/files/model-files.ts')});
await tf.setBackend('cpu');
const model = buildModel(presetSpec('mlp-16-16'), { seed: 1 });
const metadata = JSON.parse(process.argv[2]);
for (;;) {
  await saveModel(model, process.argv[1], metadata);
  process.stdout.write('saved\\n');
}`;

test('a save process killed at a random moment leaves a whole model that loads', async () => {
  const target = join(dir, 'killed');
  await saveModel(mlp, target, metadata);
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SAVE_FOREVER, target, JSON.stringify(metadata)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise((done) => child.on('exit', done));
  let saves = 0;
  await new Promise<void>((done, fail) => {
    child.on('exit', (code) => fail(new Error(`the saving process exited early (${code}): ${stderr}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      saves += chunk.toString().split('\n').length - 1;
      if (saves >= 3) setTimeout(done, Math.random() * 20);
    });
  });
  child.kill('SIGKILL');
  await exited;
  const loaded = await loadModel(target);
  assert.deepEqual(await predict(loaded.model), await predict(mlp));
  assert.deepEqual(loaded.metadata, metadata);
  // the killed process's temp folder is cleared by the next save
  await saveModel(mlp, target, metadata);
  assert.deepEqual(await leftovers(dir), []);
  loaded.model.dispose();
});
