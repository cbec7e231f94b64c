import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PRESETS, PRESET_IDS, presetSpec } from '../src/shared/presets';
import { ModelSpecError, countParams, inferLayers, summary, validateModelSpec, type ModelSpec } from '../src/shared/model-spec';
import { buildModel } from '../src/models/build';

// The seeds' parameter counts, as Keras prints them.
const SPEC_PARAMS: Record<string, number> = {
  'mlp-16-16': 13_002,
  'mlp-50-sgd': 39_760,
  'mlp-512': 407_050,
  'mlp-256': 203_530,
  'mlp-256-dropout': 269_322,
  'cnn-16-16': 108_602,
  'cnn-16-36': 242_062,
  'lstm-50-sgd': 16_310,
  'lstm-128': 81_674,
  'rnn-128': 21_386,
  'gru-128': 61_578,
};

test('every SPEC preset exists, and no other', () => {
  assert.deepEqual([...PRESET_IDS].sort(), Object.keys(SPEC_PARAMS).sort());
});

for (const preset of PRESETS) {
  test(`${preset.id}: summary prints SPEC's ${SPEC_PARAMS[preset.id]} params and tfjs agrees`, () => {
    const expected = SPEC_PARAMS[preset.id];
    const text = summary(preset.spec);
    assert.match(text, new RegExp(`Total params: ${expected.toLocaleString('en-US')}\\n`));
    assert.match(text, new RegExp(`Trainable params: ${expected.toLocaleString('en-US')}\\n`));
    assert.match(text, /Non-trainable params: 0/);
    assert.equal(countParams(inferLayers(preset.spec)), expected);
    const model = buildModel(preset.spec, { seed: 1 });
    try {
      assert.equal(model.countParams(), expected);
      // the shape inference agrees with tfjs layer by layer
      const rows = inferLayers(preset.spec);
      model.layers.forEach((layer, i) => {
        assert.deepEqual((layer.outputShape as number[]).slice(1), rows[i].outputShape, `${preset.id} layer ${i + 1}`);
        assert.equal(layer.countParams(), rows[i].params);
      });
    } finally {
      model.dispose();
    }
  });
}

test('cnn-16-16 summary has the seed\'s rows', () => {
  const text = summary(presetSpec('cnn-16-16'));
  const lines = text.split('\n');
  assert.ok(lines.includes('conv2d_1 (Conv2D)            (None, 28, 28, 16)        416'), text);
  // Keras 2.2 cuts a long name at the column, as the seed prints it
  assert.ok(lines.includes('max_pooling2d_2 (MaxPooling2 (None, 7, 7, 16)          0'), text);
  assert.ok(lines.some((l) => /^dense_1 \(Dense\) +\(None, 128\) +100480$/.test(l)), text);
  assert.match(text, /Layer \(type\) +Output Shape +Param #/);
});

function refused(spec: ModelSpec, layer: number, message: RegExp): void {
  assert.throws(
    () => inferLayers(spec),
    (error: unknown) => {
      assert.ok(error instanceof ModelSpecError, String(error));
      assert.equal(error.layer, layer);
      assert.match(error.message, message);
      return true;
    },
  );
}

test('invalid descriptions are refused at the layer that breaks them', () => {
  const cnn = presetSpec('cnn-16-16');
  cnn.layers.splice(6, 0, { type: 'Conv2D', filters: 8, kernelSize: 3 });
  refused(cnn, 6, /layer 7 \(Conv2D\) needs an image .*\(None, 784\)/);

  const lstmFlat = presetSpec('lstm-128');
  lstmFlat.input = 'flat';
  refused(lstmFlat, 0, /layer 1 \(LSTM\) needs a sequence/);

  const zero = presetSpec('mlp-256');
  (zero.layers[0] as { units: number }).units = 0;
  refused(zero, 0, /layer 1 \(Dense\): units must be a whole number/);

  const noFlatten = presetSpec('cnn-16-16');
  noFlatten.layers.splice(5, 1);
  refused(noFlatten, noFlatten.layers.length - 1, /must end with 10 outputs/);

  const noSoftmax = presetSpec('mlp-16-16');
  noSoftmax.layers[2] = { type: 'Dense', units: 10, activation: 'relu' };
  refused(noSoftmax, 2, /softmax/);

  const bigKernel = presetSpec('cnn-16-16');
  bigKernel.layers[0] = { type: 'Conv2D', filters: 4, kernelSize: 29, padding: 'valid' };
  refused(bigKernel, 0, /kernelSize must be a whole number from 1 to 28|does not fit/);

  refused({ ...presetSpec('mlp-256'), layers: [] }, -1, /no layers/);
  refused({ ...presetSpec('mlp-256'), layers: [{ type: 'Bogus' } as never] }, 0, /unknown type "Bogus"/);
});

test('a model too large to train in memory is refused before it is built, at its largest layer', () => {
  const refusedBySize = (spec: ModelSpec, layer: number, message: RegExp) =>
    assert.throws(
      () => validateModelSpec(spec),
      (error: unknown) => error instanceof ModelSpecError && error.layer === layer && message.test(error.message),
    );
  const wide = presetSpec('mlp-256');
  wide.layers = [{ type: 'Dense', units: 8192, activation: 'relu' }, { type: 'Dense', units: 8192, activation: 'relu' }, { type: 'Dense', units: 10, activation: 'softmax' }];
  // 784*8192+8192 + 8192*8192+8192 + 8192*10+10
  refusedBySize(wide, 1, /the model has 73,629,706 parameters, 67,117,056 of them in layer 2 \(Dense\); the lab trains at most 25,000,000/);

  const manyMaps = presetSpec('cnn-16-16');
  manyMaps.layers[0] = { type: 'Conv2D', filters: 2048, kernelSize: 5, padding: 'same', activation: 'relu' };
  refusedBySize(manyMaps, 0, /a batch of 300 makes the layers output [\d,]+ values, most in layer 1 \(Conv2D\).*smaller batch size/);
  // the same model fits with a batch small enough
  assert.doesNotThrow(() => validateModelSpec({ ...manyMaps, batchSize: 16 }));
  // every seed preset fits
  for (const id of PRESET_IDS) assert.doesNotThrow(() => validateModelSpec(presetSpec(id)), id);
});

test('training settings are validated with the field named', async () => {
  const { validateModelSpec } = await import('../src/shared/model-spec');
  assert.throws(() => validateModelSpec({ ...presetSpec('mlp-256'), epochs: 0 }), /epochs must be/);
  assert.throws(() => validateModelSpec({ ...presetSpec('mlp-256'), batchSize: 1.5 }), /batch size must be/);
  assert.throws(() => validateModelSpec({ ...presetSpec('mlp-256'), learningRate: -1 }), /learning rate/);
  assert.throws(() => validateModelSpec({ ...presetSpec('mlp-256'), optimizer: 'adagrad' as never }), /optimizer must be one of sgd, adam, rmsprop/);
  assert.throws(() => validateModelSpec({ ...presetSpec('mlp-256'), validation: { kind: 'split', fraction: 1 } }), /validation split/);
  assert.throws(() => presetSpec('cnn-99'), /unknown preset "cnn-99"; the presets are: mlp-16-16/);
});

test('a preset copy is independent of the preset', () => {
  const copy = presetSpec('cnn-16-36');
  (copy.layers[2] as { filters: number }).filters = 64;
  assert.equal((presetSpec('cnn-16-36').layers[2] as { filters: number }).filters, 36);
  assert.ok(tf.getBackend());
});

test('recurrent kernels are orthogonal, seeded, and serialize as Keras Orthogonal', async () => {
  const { orthogonalMatrix } = await import('../src/models/orthogonal');
  const rows = 128;
  const cols = 512;
  const q = orthogonalMatrix(rows, cols, 7);
  // rows are orthonormal: q qᵀ = I
  let worst = 0;
  for (let i = 0; i < rows; i += 9) {
    for (let j = 0; j < rows; j += 7) {
      let dot = 0;
      for (let t = 0; t < cols; t++) dot += q[i * cols + t] * q[j * cols + t];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  assert.ok(worst < 1e-5, `q qᵀ differs from I by ${worst}`);
  assert.deepEqual(orthogonalMatrix(4, 3, 1), orthogonalMatrix(4, 3, 1));
  assert.notDeepEqual(orthogonalMatrix(4, 3, 1), orthogonalMatrix(4, 3, 2));

  const model = buildModel(presetSpec('lstm-50-sgd'), { seed: 3 });
  const again = buildModel(presetSpec('lstm-50-sgd'), { seed: 3 });
  try {
    const config = model.layers[0].getConfig() as { recurrentInitializer: { className: string } };
    assert.equal(config.recurrentInitializer.className, 'Orthogonal');
    const [a, b] = [model.layers[0].getWeights()[1], again.layers[0].getWeights()[1]];
    assert.deepEqual(a.shape, [50, 200]);
    assert.deepEqual(await a.data(), await b.data(), 'the same seed gives the same weights');
  } finally {
    model.dispose();
    again.dispose();
  }
});

// Keras 2.2's initializers by their definitions (Keras 3.15 on JAX drew the same statistics for these
// presets when measured here): glorot_uniform kernels, U(±√(6/(fan_in+fan_out))); orthogonal recurrent
// kernels, whose entries' root mean square is 1/√(the longer side); zero biases but LSTM's forget gate, 1.
test('initial weights are distributed as Keras\'s initializers draw them (recurrent presets and their Dense)', async () => {
  const stats = (values: Float32Array) => {
    let sum = 0;
    let squares = 0;
    let max = 0;
    for (const v of values) {
      sum += v;
      squares += v * v;
      max = Math.max(max, Math.abs(v));
    }
    const mean = sum / values.length;
    return { mean, sd: Math.sqrt(squares / values.length - mean * mean), rms: Math.sqrt(squares / values.length), max };
  };
  for (const id of ['rnn-128', 'lstm-50-sgd', 'gru-128']) {
    const model = buildModel(presetSpec(id), { seed: 11 });
    try {
      const weights = model.weights.map((w, i) => ({ name: w.name, shape: w.shape as number[], values: model.getWeights()[i].dataSync() as Float32Array }));
      for (const { name, shape, values } of weights) {
        const what = `${id} ${name} [${shape}]`;
        const s = stats(values);
        if (/recurrent_kernel/.test(name)) {
          assert.ok(Math.abs(s.rms * Math.sqrt(Math.max(shape[0], shape[1])) - 1) < 1e-4, `${what}: orthogonal, rms ${s.rms}`);
        } else if (/kernel/.test(name)) {
          const bound = Math.sqrt(6 / (shape[0] + shape[1]));
          assert.ok(s.max <= bound && s.max > 0.95 * bound, `${what}: glorot_uniform bound ${bound}, largest ${s.max}`);
          assert.ok(Math.abs(s.sd / (bound / Math.sqrt(3)) - 1) < 0.06, `${what}: sd ${s.sd} against ${bound / Math.sqrt(3)}`);
          assert.ok(Math.abs(s.mean) < (4 * bound) / Math.sqrt(3 * values.length), `${what}: mean ${s.mean}`);
        } else {
          const units = (presetSpec(id).layers[0] as { units: number }).units;
          const forget = id.startsWith('lstm') && /lstm/.test(name);
          values.forEach((v, i) => assert.equal(v, forget && i >= units && i < 2 * units ? 1 : 0, `${what}[${i}]`));
        }
      }
    } finally {
      model.dispose();
    }
  }
});

test('an input kind that is an Object.prototype name is refused, not crashed on', () => {
  assert.throws(() => inferLayers({ ...presetSpec('mlp-256'), input: 'toString' as never }), /input must be one of flat, sequence, image, got "toString"/);
});
