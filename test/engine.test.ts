import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ENV_VAR, engineInfo, initEngine, parseBackendChoice } from '../src/engine/backend';
import { noTensorflowEngine, testBackends, webgpuEngine } from './helpers/engines';

const NODE_PACKAGE = '@tensorflow/tfjs-node';
const SEED = 7;
const SAMPLES = 32;
const CLASSES = 4;
const EPOCHS = 12;
const BATCH = 16;
const LEARNING_RATES = { sgd: 0.1, adam: 0.01, rmsprop: 0.01 } as const;
/** max |wasm or tensorflow - cpu| gradient difference, as a fraction of max(1, max |cpu|) */
const GRADIENT_TOLERANCE = 1e-4;

function nodeBackendInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve(NODE_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

const seeded = () => tf.initializers.glorotUniform({ seed: SEED });

interface ModelCase {
  name: string;
  inputShape: number[];
  layers: () => tf.layers.Layer[];
}

/** One small model per layer type the lab trains. */
const MODELS: ModelCase[] = [
  { name: 'Dense', inputShape: [12], layers: () => [tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: seeded() })] },
  {
    name: 'Dropout',
    inputShape: [12],
    layers: () => [tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: seeded() }), tf.layers.dropout({ rate: 0.2, seed: SEED })],
  },
  {
    name: 'Activation',
    inputShape: [12],
    layers: () => [tf.layers.dense({ units: 16, kernelInitializer: seeded() }), tf.layers.activation({ activation: 'tanh' })],
  },
  {
    name: 'Conv2D same',
    inputShape: [8, 8, 1],
    layers: () => [tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: seeded() }), tf.layers.flatten()],
  },
  {
    name: 'Conv2D valid, strided',
    inputShape: [9, 9, 2],
    layers: () => [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: seeded() }),
      tf.layers.conv2d({ filters: 3, kernelSize: 2, padding: 'valid', kernelInitializer: seeded() }),
      tf.layers.flatten(),
    ],
  },
  {
    name: 'MaxPooling2D',
    inputShape: [8, 8, 2],
    layers: () => [
      tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: seeded() }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.flatten(),
    ],
  },
  { name: 'Flatten', inputShape: [4, 4, 2], layers: () => [tf.layers.flatten()] },
  { name: 'SimpleRNN', inputShape: [6, 5], layers: () => [tf.layers.simpleRNN({ units: 8, kernelInitializer: seeded(), recurrentInitializer: seeded() })] },
  {
    name: 'LSTM',
    inputShape: [6, 5],
    layers: () => [
      tf.layers.lstm({ units: 8, returnSequences: true, kernelInitializer: seeded(), recurrentInitializer: seeded() }),
      tf.layers.lstm({ units: 6, kernelInitializer: seeded(), recurrentInitializer: seeded() }),
    ],
  },
  { name: 'GRU', inputShape: [6, 5], layers: () => [tf.layers.gru({ units: 8, kernelInitializer: seeded(), recurrentInitializer: seeded() })] },
];

function buildModel(c: ModelCase): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: c.inputShape }));
  for (const layer of c.layers()) model.add(layer);
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: seeded() }));
  return model;
}

function randomData(c: ModelCase): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.randomNormal([SAMPLES, ...c.inputShape], 0, 1, 'float32', SEED),
    y: tf.oneHot(tf.randomUniform([SAMPLES], 0, CLASSES, 'int32', SEED) as tf.Tensor1D, CLASSES).toFloat(),
  }));
}

function lossGradients(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = () => tf.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar;
    const { grads } = tf.variableGrads(loss, variables);
    return variables.map((v) => grads[v.name].dataSync() as Float32Array);
  });
}

test("initEngine('auto') picks wasm when tfjs-node is unavailable, and says so", async (t) => {
  if (nodeBackendInstalled()) {
    t.skip(`${NODE_PACKAGE} is installed here`);
    return;
  }
  const info = await initEngine('auto');
  assert.equal(info.backend, 'wasm');
  assert.equal(info.gpu, false);
  // then why not webgpu (not installed, no adapter, or a software one)
  assert.match(info.reason, /^wasm: @tensorflow\/tfjs-node is not installed; (not webgpu|webgpu did not start)/);
  assert.ok(info.version.includes(tf.version.tfjs), info.version);
  assert.ok(info.threads >= 1);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(engineInfo(), info);
  assert.equal(await initEngine('auto'), info, 'the same choice gives the same info');
});

test("initEngine('tensorflow') fails with an install hint and keeps the current engine", async (t) => {
  if (nodeBackendInstalled()) {
    t.skip(`${NODE_PACKAGE} is installed here`);
    return;
  }
  const before = await initEngine('auto');
  await assert.rejects(initEngine('tensorflow'), /digit-lab engine link-tensorflow \[--python PATH\]`, or install it with `npm install @tensorflow\/tfjs-node`/);
  assert.equal(engineInfo(), before);
  assert.equal(tf.getBackend(), 'wasm');
});

test("initEngine('tensorflow-gpu') fails with its install hint and keeps the current engine", async () => {
  const before = await initEngine('auto');
  await assert.rejects(initEngine('tensorflow-gpu'), /Cannot use the TensorFlow backend: @tensorflow\/tfjs-node-gpu is not installed\. Install it with `npm install @tensorflow\/tfjs-node-gpu` \(it needs CUDA/);
  assert.equal(engineInfo(), before);
  assert.equal(tf.getBackend(), before.backend);
});

const hardwareGpu = webgpuEngine()?.software === false && 'a hardware GPU adapter is here: auto picks webgpu';

test("initEngine('auto') picks tensorflow where tfjs-node is linked, and says so", { skip: noTensorflowEngine() || hardwareGpu }, async () => {
  const info = await initEngine('auto');
  assert.equal(info.backend, 'tensorflow');
  assert.ok(info.reason.startsWith(`tensorflow: ${NODE_PACKAGE} is installed; `), info.reason);
  assert.match(info.version, /libtensorflow 2\.\d+/);
  assert.equal(tf.getBackend(), 'tensorflow');
  // TensorFlow's log level is set before the library loads, unless the user set one
  assert.ok(process.env.TF_CPP_MIN_LOG_LEVEL !== undefined);
});

test('cpu only when asked, and back again', async () => {
  const auto = await initEngine('auto');
  const cpu = await initEngine('cpu');
  assert.deepEqual(cpu, { backend: 'cpu', gpu: false, version: `tfjs ${tf.version.tfjs}`, reason: 'forced by --backend cpu', threads: 1, forced: true });
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(await initEngine('auto'), auto);
  assert.equal(tf.getBackend(), auto.backend);
});

test(`the default choice comes from ${BACKEND_ENV_VAR}`, async () => {
  const saved = process.env[BACKEND_ENV_VAR];
  try {
    process.env[BACKEND_ENV_VAR] = 'wasm';
    const info = await initEngine();
    assert.equal(info.backend, 'wasm');
    assert.equal(info.reason, `forced by ${BACKEND_ENV_VAR}=wasm`);
    process.env[BACKEND_ENV_VAR] = 'gpu-please';
    await assert.rejects(initEngine(), new RegExp(`${BACKEND_ENV_VAR}=gpu-please is not a backend`));
  } finally {
    if (saved === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = saved;
  }
  await initEngine('auto');
});

test('parseBackendChoice accepts the six choices and nothing else', () => {
  for (const choice of ['auto', 'tensorflow', 'tensorflow-gpu', 'webgpu', 'wasm', 'cpu']) assert.equal(parseBackendChoice(choice), choice);
  assert.equal(parseBackendChoice(' WASM '), 'wasm');
  assert.throws(() => parseBackendChoice('webgl'), /--backend webgl is not a backend; use one of auto, tensorflow/);
});

test(`every layer type trains on ${testBackends().join(' and ')} with sgd, adam and rmsprop: the loss falls`, async () => {
  for (const backend of testBackends()) {
    await initEngine(backend);
    for (const c of MODELS) {
      const { x, y } = randomData(c);
      for (const optimizer of ['sgd', 'adam', 'rmsprop'] as const) {
        const model = buildModel(c);
        model.compile({ optimizer: tf.train[optimizer](LEARNING_RATES[optimizer]), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
        const history = await model.fit(x, y, { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0 });
        const losses = history.history.loss as number[];
        const accuracy = history.history.acc as number[];
        const what = `${c.name} with ${optimizer} on ${backend}: losses ${losses.map((l) => l.toFixed(3)).join(' ')}`;
        assert.ok(losses.every(Number.isFinite) && accuracy.every(Number.isFinite), what);
        assert.ok(losses[losses.length - 1] < losses[0], what);
        model.dispose();
      }
      tf.dispose([x, y]);
    }
  }
  await initEngine('auto');
});

/** The loss gradients of a model case on `backend`, and the same weights' and data's on cpu. */
async function gradientsAgainstCpu(c: ModelCase, backend: 'wasm' | 'tensorflow'): Promise<{ actual: Float32Array[]; expected: Float32Array[] }> {
  await initEngine(backend);
  const data = randomData(c);
  const onBackend = buildModel(c);
  const weights = onBackend.getWeights().map((w) => ({ values: w.dataSync().slice(), shape: w.shape }));
  const actual = lossGradients(onBackend, data.x, data.y);
  const dataValues = { x: data.x.dataSync().slice(), y: data.y.dataSync().slice() };
  onBackend.dispose();
  tf.dispose([data.x, data.y]);

  await initEngine('cpu');
  const onCpu = buildModel(c);
  onCpu.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
  const x = tf.tensor(dataValues.x, [SAMPLES, ...c.inputShape]);
  const y = tf.tensor(dataValues.y, [SAMPLES, CLASSES]);
  const expected = lossGradients(onCpu, x, y);
  onCpu.dispose();
  tf.dispose([x, y]);
  return { actual, expected };
}

test(`${testBackends().join(' and ')} gradients match cpu for every layer type but Dropout`, async () => {
  for (const backend of testBackends()) {
    for (const c of MODELS.filter((m) => m.name !== 'Dropout')) {
      const { actual, expected } = await gradientsAgainstCpu(c, backend);
      assert.equal(actual.length, expected.length);
      expected.forEach((want, i) => {
        const scale = Math.max(1, ...want.map(Math.abs));
        const worst = Math.max(...want.map((v, j) => Math.abs(v - actual[i][j])));
        assert.ok(worst <= GRADIENT_TOLERANCE * scale, `${c.name} on ${backend}, weight ${i}: max diff ${worst}`);
      });
    }
  }
  await initEngine('auto');
});
