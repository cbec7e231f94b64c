// The LabService on real data: every call of the contract, and the forged calls a renderer
// might send, each answered with a clear error while the lab keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { createLabService, LabService } from '../src/lab/service';
import { loadModel } from '../src/files/model-files';
import type { EnginesReport, DataStatus, DownloadOutcome, DownloadProgressEvent, ModelFiles, Prediction, RunSummary, Samples, Settings, TrainStatus } from '../src/shared/contract';
import { presetSpec } from '../src/shared/presets';
import type { Evaluation, RunResult, TrainEvent } from '../src/shared/training';
import { embeddedDir } from '../src/data/mnist';
import { MNIST_FILES } from '../src/data/files';
import { DEFAULT_MIRRORS } from '../src/data/download';
import { testBackends } from './helpers/engines';
import { call, home, lab, mnist, testImage, useTestLab } from './helpers/test-lab';

useTestLab('digit-lab-service-');

/** The next train.event that passes `match`. */
function nextEvent(match: (event: TrainEvent) => boolean): Promise<TrainEvent> {
  return new Promise((resolve) => {
    const off = lab.on('train.event', (event) => {
      if (!match(event)) return;
      off();
      resolve(event);
    });
  });
}

async function trainToEnd(request: object): Promise<{ runId: string; result: RunResult; events: TrainEvent[] }> {
  const events: TrainEvent[] = [];
  const off = lab.on('train.event', (event) => events.push(event));
  const end = nextEvent((e) => e.type === 'done' || e.type === 'failed');
  const { runId } = await call<{ runId: string }>('train.start', request);
  const last = await end;
  off();
  if (last.type !== 'done') throw new Error(last.type === 'failed' ? last.message : last.type);
  assert.equal(last.runId, runId);
  return { runId, result: last.result, events };
}

test('engine, presets and the Keras summary', async () => {
  const engine = await call<{ backend: string; reason: string; forced?: boolean }>('engine.info');
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(engine.backend), engine.backend);
  assert.ok(engine.reason.length > 0);
  assert.equal(engine.forced, false, 'the settings say auto: the lab picked this engine');
  const presets = await call<{ id: string }[]>('models.presets');
  assert.ok(presets.some((p) => p.id === 'cnn-16-36'));
  const summary = await call<{ text: string; totalParams: number }>('models.summary', { spec: presetSpec('cnn-16-36') });
  assert.equal(summary.totalParams, 242062);
  assert.match(summary.text, /Total params: 242,062/);
});

test('data: a damaged cache is passed over for the embedded copy, and the status says why', async () => {
  const otherHome = await mkdtemp(join(tmpdir(), 'digit-lab-damaged-cache-'));
  const cacheDir = join(otherHome, 'cache');
  await mkdir(cacheDir);
  for (const file of MNIST_FILES) await copyFile(join(embeddedDir(), file.name), join(cacheDir, file.name));
  const labels = join(cacheDir, 'train-labels-idx1-ubyte');
  const bytes = await readFile(labels);
  bytes[100] ^= 1; // one label changed: a valid IDX file that fails its checksum
  await writeFile(labels, bytes);
  const other = await createLabService({ home: otherHome, cacheDir });
  try {
    const status = (await other.call('data.status', null)) as DataStatus;
    assert.deepEqual([status.source, status.verified], ['embedded', true]);
    assert.match(status.notice ?? '', /not using the cache: .*train-labels-idx1-ubyte.*using the embedded copy/);
  } finally {
    await other.close();
    await rm(otherHome, { recursive: true, force: true });
  }
});

test('data: status, samples filtered by label, one image', async () => {
  const status = await call<DataStatus>('data.status');
  assert.equal(status.verified, true);
  assert.equal(status.source, 'embedded');
  assert.equal(status.notice, undefined, 'nothing to say when no cache was passed over');
  assert.deepEqual(status.shapes.x_train, [60000, 28, 28]);
  assert.equal(status.testLabelCounts[1], 1135);
  const sevens = await call<Samples>('data.samples', { split: 'test', label: 7, offset: 5, count: 20 });
  assert.equal(sevens.total, 1028);
  assert.equal(sevens.indices.length, 20);
  assert.ok(sevens.indices.every((i) => mnist.test.labels[i] === 7));
  assert.ok(sevens.labels.every((l) => l === 7));
  const pixels = Buffer.from(sevens.pixels, 'base64');
  assert.equal(pixels.length, 20 * 784);
  const first = sevens.indices[0];
  assert.deepEqual(pixels.subarray(0, 784), Buffer.from(mnist.test.pixels.subarray(first * 784, (first + 1) * 784)));
  const page = await call<Samples>('data.samples', { split: 'train', offset: 59990, count: 50 });
  assert.equal(page.indices.length, 10, 'the last page holds what is left');
  const image = await call<{ label: number; pixels: number[] }>('data.image', { split: 'test', index: first });
  assert.equal(image.label, 7);
  assert.deepEqual(image.pixels, Array.from(mnist.test.pixels.subarray(first * 784, (first + 1) * 784)));
  await assert.rejects(call('data.image', { split: 'test', index: 10000 }), /data\.image\.index must be below 10000 for the test set/);
});

test('data: download from a mirror with progress, refused twice at once, cancelled', async () => {
  const gz = new Map<string, Buffer>(await Promise.all(MNIST_FILES.map(async (f) => [`${f.name}.gz`, gzipSync(await readFile(join(embeddedDir(), f.name)), { level: 1 })] as const)));
  const stalled = new Set<ServerResponse>();
  const mirror: Server = createServer((req, res) => {
    const [, kind, name] = (req.url ?? '').split('/');
    const body = gz.get(name);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length });
    if (kind === 'stall') {
      res.write(body.subarray(0, 1000));
      stalled.add(res);
    } else {
      res.end(body);
    }
  });
  await new Promise<void>((ready) => mirror.listen(0, '127.0.0.1', ready));
  const base = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
  try {
    const progress: DownloadProgressEvent[] = [];
    const off = lab.on('data.progress', (p) => progress.push(p));
    const download = call<DownloadOutcome>('data.download', { mirrors: [`${base}/good/`] });
    await assert.rejects(call('data.download', {}), /a download is already running/);
    const outcome = await download;
    off();
    assert.equal(outcome.ok, true, outcome.message);
    assert.deepEqual(outcome.files.map((f) => f.name).sort(), MNIST_FILES.map((f) => f.name).sort());
    assert.ok(progress.length > 0 && progress.every((p) => p.mirror.startsWith(base)));
    const status = await call<{ source: string; verified: boolean }>('data.status');
    assert.deepEqual([status.source, status.verified], ['cache', true]);

    await rm(join(home, 'cache'), { recursive: true, force: true });
    const stalling = call<DownloadOutcome>('data.download', { mirrors: [`${base}/stall/`] });
    await new Promise((wait) => setTimeout(wait, 200));
    assert.equal(await call('data.cancelDownload'), null);
    const cancelled = await stalling;
    assert.equal(cancelled.ok, false);
    assert.ok(cancelled.message && cancelled.message.length > 0);
  } finally {
    for (const res of stalled) res.destroy();
    mirror.closeAllConnections();
    await new Promise((done) => mirror.close(done));
  }
});

test('train mlp-16-16 through the worker; list, get, predict, export, import, delete', async () => {
  const spec = { ...presetSpec('mlp-16-16'), epochs: 1 };
  const { runId, result, events } = await trainToEnd({ spec, limit: 2000, seed: 3 });
  assert.deepEqual([...new Set(events.map((e) => e.type))].filter((t) => t !== 'batch'), ['start', 'epochBegin', 'epochEnd', 'evaluating', 'done']);
  assert.equal(result.trainCount + result.validationCount, 2000);
  const status = await call<TrainStatus>('train.status');
  assert.equal(status.runId, runId);
  assert.equal(status.events.at(-1)?.type, 'done');
  assert.ok(existsSync(join(home, 'models', runId, 'model.json')));
  assert.ok(existsSync(join(home, 'models', runId, 'report.json')));

  const runs = await call<RunSummary[]>('runs.list');
  assert.equal(runs.length, 1);
  assert.deepEqual([runs[0].runId, runs[0].status, runs[0].hasModel, runs[0].params], [runId, 'done', true, 13002]);
  assert.equal(runs[0].accuracy, result.evaluation.accuracy);
  const full = await call<RunResult>('runs.get', { runId });
  const evaluation = await call<Evaluation>('runs.evaluation', { runId });
  assert.deepEqual(full.evaluation, evaluation);
  const wrong = new Set(evaluation.misclassified.map((m) => m.index));
  assert.equal(wrong.size, 10000 - evaluation.confusionMatrix.reduce((sum, row, k) => sum + row[k], 0));

  // predict reads real test digits exactly as the run's own evaluation did
  const predictions: Prediction[] = [];
  for (let i = 0; i < 20; i++) {
    const prediction = await call<Prediction>('predict', { model: 'latest', input: testImage(i) });
    assert.equal(prediction.probabilities.length, 10);
    assert.ok(Math.abs(prediction.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    assert.equal(prediction.digit, prediction.probabilities.indexOf(Math.max(...prediction.probabilities)));
    assert.equal(prediction.digit === mnist.test.labels[i], !wrong.has(i), `test image ${i}`);
    predictions.push(prediction);
  }
  assert.deepEqual(await call('predict', { model: runId, input: testImage(0) }), predictions[0]);

  const files = await call<ModelFiles>('models.export', { runId });
  assert.equal(JSON.parse(files.modelJson).format, 'layers-model');
  assert.deepEqual(Object.keys(files.weights), ['weights.bin']);
  const upload = [{ name: 'model.json', base64: Buffer.from(files.modelJson).toString('base64') }, ...Object.entries(files.weights).map(([name, base64]) => ({ name, base64 }))];
  const imported = await call<RunSummary>('models.import', { files: upload, name: 'round trip' });
  assert.deepEqual([imported.name, imported.status, imported.hasModel, imported.params], ['round trip', 'done', true, 13002]);
  assert.equal(imported.accuracy, result.evaluation.accuracy);
  assert.deepEqual((await call<RunResult>('runs.get', { runId: imported.runId })).evaluation.confusionMatrix, evaluation.confusionMatrix);
  const again = await call<Prediction>('predict', { model: 'latest', input: testImage(0) });
  assert.deepEqual(again.probabilities.map((p) => p.toFixed(5)), predictions[0].probabilities.map((p) => p.toFixed(5)));
  assert.deepEqual((await readdir(home)).filter((n) => n.startsWith('import-')), [], 'no staging folder is left');

  await call('runs.delete', { runId: imported.runId });
  assert.equal(existsSync(join(home, 'models', imported.runId)), false);
  assert.deepEqual((await call<RunSummary[]>('runs.list')).map((r) => r.runId), [runId]);
  await assert.rejects(call('runs.get', { runId: imported.runId }), /there is no run/);
  await assert.rejects(call('predict', { model: imported.runId, input: testImage(0) }), /there is no run/);
});

test("predict with feature maps: a CNN's first Conv2D output for the input, and none for an MLP", async () => {
  const mlp = (await call<RunSummary[]>('runs.list'))[0].runId;
  const plain = await call<Prediction>('predict', { model: mlp, input: testImage(0) });
  assert.equal('featureMaps' in plain, false, 'only when asked for');
  const flat = await call<Prediction>('predict', { model: mlp, input: testImage(0), featureMaps: true });
  assert.equal(flat.featureMaps, null);
  assert.deepEqual(flat.probabilities, plain.probabilities);

  const { runId } = await trainToEnd({ spec: { ...presetSpec('cnn-16-16'), epochs: 1, batchSize: 50 }, limit: 300, seed: 5 });
  const withMaps = await call<Prediction>('predict', { model: runId, input: testImage(0), featureMaps: true });
  const maps = withMaps.featureMaps!;
  assert.deepEqual([maps.channels, maps.height, maps.width], [16, 28, 28]);
  const bytes = Buffer.from(maps.values, 'base64');
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  assert.equal(values.length, 16 * 28 * 28);
  // the same numbers as a model from the input to that layer, map after map
  const loaded = await loadModel(join(home, 'models', runId));
  const conv = loaded.model.getLayer(maps.layer);
  assert.equal(conv.getClassName(), 'Conv2D');
  const upToConv = tf.model({ inputs: loaded.model.inputs, outputs: conv.output as tf.SymbolicTensor });
  const expected = tf.tidy(() => (upToConv.predict(tf.tensor(testImage(0), [1, 28, 28, 1])) as tf.Tensor).squeeze([0]).transpose([2, 0, 1]).dataSync());
  loaded.model.dispose();
  assert.ok(values.every((v, i) => Math.abs(v - expected[i]) < 1e-5), 'the maps match');
  assert.ok(values.some((v) => v > 0));
  const without = await call<Prediction>('predict', { model: runId, input: testImage(0) });
  assert.deepEqual(withMaps.probabilities, without.probabilities);
  assert.equal(withMaps.digit, without.digit);
  await call('runs.delete', { runId });
});

test('the paint pad reads on wasm under auto, the fastest for one image; the same model then evaluates on the batch engine', async () => {
  const mlp = (await call<RunSummary[]>('runs.list'))[0].runId;
  const first = await call<Prediction>('predict', { model: mlp, input: testImage(1) });
  assert.equal(tf.getBackend(), 'wasm');
  const engine = await call<{ backend: string }>('engine.info');
  assert.equal(engine.backend, testBackends().includes('tensorflow') ? 'tensorflow' : 'wasm');
  // the Settings view's list says the same
  const engines = await call<EnginesReport>('engine.list');
  assert.deepEqual(engines.jobs.map((j) => [j.job, j.backend]), [['train', engine.backend], ['evaluate', engine.backend], ['paint', 'wasm']]);
  // My digits are evaluated in batches, on the settings' engine: the cached model's weights
  // follow it there, and back for the next reading
  const digit = await call<{ id: string }>('digits.add', { label: mnist.test.labels[1], input: testImage(1) });
  const scored = await call<{ predictions: { predicted: number }[] }>('digits.evaluate', { model: mlp });
  assert.equal(tf.getBackend(), engine.backend);
  assert.equal(scored.predictions[0].predicted, first.digit);
  await call('digits.delete', { id: digit.id });
  const again = await call<Prediction>('predict', { model: mlp, input: testImage(1) });
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(again.digit, first.digit);
  assert.ok(again.probabilities.every((p, k) => Math.abs(p - first.probabilities[k]) < 1e-6), `${again.probabilities} vs ${first.probabilities}`);
});

test('pause, resume and stop a run: it is kept as stopped', async () => {
  const spec = { ...presetSpec('mlp-16-16'), epochs: 50 };
  const end = nextEvent((e) => e.type === 'done' || e.type === 'failed');
  const firstBatch = nextEvent((e) => e.type === 'batch');
  const { runId } = await call<{ runId: string }>('train.start', { spec, limit: 2000 });
  await assert.rejects(call('train.start', { spec }), /a run is already training/);
  await firstBatch;
  const paused = nextEvent((e) => e.type === 'paused');
  await call('train.pause');
  await paused;
  assert.equal((await call<TrainStatus>('train.status')).paused, true);
  await assert.rejects(call('runs.delete', { runId }), /still training: stop it first/);
  const resumed = nextEvent((e) => e.type === 'resumed');
  await call('train.resume');
  await resumed;
  assert.equal((await call<TrainStatus>('train.status')).paused, false);
  await call('train.stop');
  const last = await end;
  assert.equal(last.type, 'done');
  assert.equal(last.type === 'done' && last.result.stopped, true);
  const run = (await call<RunSummary[]>('runs.list')).find((r) => r.runId === runId);
  assert.equal(run?.status, 'stopped');
  await call('runs.delete', { runId });
});

test('settings persist across service instances', async () => {
  const defaults = await call<Settings>('settings.get');
  assert.deepEqual([defaults.language, defaults.theme, defaults.backend], ['system', 'system', 'auto']);
  assert.ok(defaults.mirrors.length > 0);
  const changed = await call<Settings>('settings.set', { language: 'zh-Hant', theme: 'dark' });
  assert.deepEqual([changed.language, changed.theme, changed.backend], ['zh-Hant', 'dark', 'auto']);
  const other = new LabService({ home });
  try {
    assert.deepEqual(await other.call('settings.get', null), changed);
  } finally {
    await other.close();
  }
});

test('settings from before versioning are migrated: valid values kept, the rest dropped', async () => {
  const old = await mkdtemp(join(tmpdir(), 'digit-lab-settings-'));
  try {
    await writeFile(join(old, 'settings.json'), JSON.stringify({ language: 'zh-Hans', theme: 'blue', mirrors: 'nope', windowSize: 3 }));
    const service = new LabService({ home: old });
    try {
      const settings = await service.call('settings.get', null);
      assert.deepEqual(settings, { language: 'zh-Hans', theme: 'system', backend: 'auto', mirrors: DEFAULT_MIRRORS, python: '' });
      const file = JSON.parse(await readFile(join(old, 'settings.json'), 'utf8'));
      assert.equal(file.windowSize, undefined);
      assert.equal(file.__internal__.migrations.version, '1.0.0');
    } finally {
      await service.close();
    }
    // A file broken by hand does not stop the lab: it starts from the defaults.
    await writeFile(join(old, 'settings.json'), '{ not json');
    const fresh = new LabService({ home: old });
    assert.equal(((await fresh.call('settings.get', null)) as Settings).language, 'system');
    await fresh.close();
  } finally {
    await rm(old, { recursive: true, force: true });
  }
});

test('forged calls get clear errors and the lab keeps working', async () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const cases: [unknown, unknown, RegExp][] = [
    ['fs.readFile', { path: '/etc/passwd' }, /^unknown call "fs\.readFile"$/],
    [42, null, /^unknown call 42$/],
    ['__proto__', null, /^unknown call "__proto__"$/],
    ['engine.info', { anything: true }, /^engine\.info takes no argument \(null\)$/],
    ['data.samples', { split: 'train', offset: '0', count: 5 }, /^data\.samples\.offset must be a whole number from 0 to 60000, got "0"$/],
    ['data.samples', { split: 'train', offset: 0, count: 5, path: '/etc' }, /^data\.samples has an unknown field "path"$/],
    ['data.samples', { split: 'train', offset: 0 }, /^data\.samples\.count is required$/],
    ['data.samples', [1, 2], /^data\.samples must be an object/],
    ['data.image', { split: 'secret', index: 1 }, /^data\.image\.split must be one of train, test, got "secret"$/],
    ['models.summary', { spec: 'mlp' }, /^models\.summary\.spec must be a model description$/],
    ['models.summary', { spec: { ...presetSpec('mlp-16-16'), input: 'toString' } }, /^models\.summary\.spec\.input must be one of flat, sequence, image/],
    ['train.start', { spec: { ...presetSpec('mlp-16-16'), epochs: 1.5 } }, /^train\.start\.spec: epochs must be a whole number/],
    ['train.start', { spec: presetSpec('mlp-16-16'), saveDir: '/etc' }, /^train\.start has an unknown field "saveDir"$/],
    ['train.start', { spec: presetSpec('mlp-16-16'), limit: -1 }, /^train\.start\.limit must be a whole number from 1 to 60000, got -1$/],
    ['train.start', { spec: presetSpec('mlp-16-16'), workers: 0 }, /^train\.start\.workers must be "auto" or a whole number from 1 to 64, got 0$/],
    ['train.start', { spec: presetSpec('mlp-16-16'), workers: 'all' }, /^train\.start\.workers must be "auto" or a whole number from 1 to 64, got "all"$/],
    ['runs.get', { runId: '../../etc' }, /^runs\.get\.runId has an invalid form: "\.\.\/\.\.\/etc"$/],
    ['runs.delete', { runId: 'no-such-run' }, /^there is no run no-such-run$/],
    ['models.export', { runId: '/etc/passwd' }, /^models\.export\.runId has an invalid form/],
    ['models.import', { files: [{ name: '../x.bin', base64: '' }] }, /^models\.import\.files\[0\]\.name has an invalid form: "\.\.\/x\.bin"$/],
    ['models.import', { files: [{ name: '/etc/passwd', base64: '' }] }, /^models\.import\.files\[0\]\.name has an invalid form: "\/etc\/passwd"$/],
    ['models.import', { files: [{ name: 'a\\..\\b.bin', base64: '' }] }, /^models\.import\.files\[0\]\.name has an invalid form/],
    ['models.import', { files: [{ name: 'weights.bin', base64: '' }, { name: 'more.bin', base64: '' }] }, /^models\.import\.files must be one Keras file \(\.keras or \.h5\), or exactly one \.json file \(the model\.json\) with its weights; got 0 \.json files$/],
    ['models.import', { files: [{ name: 'model.json', base64: '' }, { name: 'model.json', base64: '' }] }, /^models\.import\.files names "model\.json" twice$/],
    ['models.import', { files: [{ name: 'model.json', base64: '!!!' }] }, /^models\.import\.files\[0\]\.base64 has an invalid form/],
    ['models.import', { files: [{ name: 'notes.h5', base64: b64('not a model') }] }, /^notes\.h5: is neither a Keras \.keras zip nor an HDF5 \.h5 file/],
    ['models.exportKeras', { runId: 'no-such-run', format: 'onnx' }, /^models\.exportKeras\.format must be one of keras, h5/],
    ['models.import', { files: [{ name: 'model.json', base64: b64('{nope') }] }, /^model\.json: .*JSON/],
    ['models.import', { files: [{ name: 'model.json', base64: b64(JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] })) }] }, /^model\.json: .*etc\/passwd/],
    ['predict', { model: 'latest', input: [1, 2, 3] }, /^predict\.input must be a list of 784 numbers$/],
    ['predict', { model: 'latest', input: new Array(784).fill(2) }, /^predict\.input must hold numbers from 0 to 1$/],
    ['predict', { model: 'latest', input: new Array(784).fill(0), featureMaps: 'yes' }, /^predict\.featureMaps must be true or false, got "yes"$/],
    ['settings.set', { backend: 'gpu-please' }, /^settings\.set\.backend must be one of auto, tensorflow/],
    ['settings.set', { mirrors: ['file:///etc/passwd'] }, /^settings\.set\.mirrors\[0\] has an invalid form/],
    ['settings.set', { language: 'en', admin: true }, /^settings\.set has an unknown field "admin"$/],
  ];
  for (const [name, args, message] of cases) {
    const reason = await lab.call(name, args).then(() => 'no error', (error: Error) => error.message);
    assert.match(reason, message, `${String(name)} ${JSON.stringify(args)?.slice(0, 80)}`);
  }
  assert.deepEqual(await readdir(join(home, 'models')).then((names) => names.length), (await call<RunSummary[]>('runs.list')).length, 'a refused import leaves no folder');

  // An invalid model names the layer that breaks it, as the model view shows it.
  const cnnOnFlat = { spec: { ...presetSpec('cnn-16-16'), input: 'flat' } };
  const problem = 'layer 1 (Conv2D) needs an image (height × width × channels) input, but gets shape (None, 784)';
  assert.deepEqual(await lab.answer('train.start', cnnOnFlat), {
    error: `train.start.spec: ${problem}`,
    code: 'call.badModel',
    params: { path: 'train.start.spec', problem },
    layer: 0,
  });
  const layers = [{ type: 'Dense', units: 16, activation: 'relu' }, { type: 'Dense', units: 10, activation: 'softmax', bias: false }];
  assert.deepEqual(await lab.answer('models.summary', { spec: { ...presetSpec('mlp-16-16'), layers } }), {
    error: 'models.summary.spec.layers[1] (layer 2) has an unknown field "bias"',
    code: 'call.badArgument',
    params: { path: 'models.summary.spec.layers[1] (layer 2)', problem: 'has an unknown field "bias"' },
    layer: 1,
  });
  assert.deepEqual(await lab.answer('nope', null), { error: 'unknown call "nope"', code: 'call.unknown', params: { call: '"nope"' } });

  // …and the lab keeps working
  assert.equal((await call<{ verified: boolean }>('data.status')).verified, true);
  assert.equal((await call<{ totalParams: number }>('models.summary', { spec: presetSpec('mlp-16-16') })).totalParams, 13002);
});
