import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService, LabService } from '../src/lab/service';
import { VALIDATED_CALLS } from '../src/lab/validate';
import { CALL_NAMES, type RunSummary, type Samples } from '../src/shared/contract';
import { presetSpec } from '../src/shared/presets';
import type { RunResult, TrainEvent } from '../src/shared/training';
import { loadMnist } from '../src/data/mnist';

let home: string;
let lab: LabService;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-service-'));
  lab = await createLabService({ home, cacheDir: join(home, 'cache') });
});
after(async () => {
  await lab.close();
  await rm(home, { recursive: true, force: true });
});

test('every call of the contract is validated and handled', () => {
  assert.deepEqual([...VALIDATED_CALLS].sort(), [...CALL_NAMES].sort());
});

test('data: status and samples filtered by label', async () => {
  const status = (await lab.call('data.status', null)) as { verified: boolean; testLabelCounts: number[]; source: string };
  assert.equal(status.verified, true);
  assert.equal(status.source, 'embedded');
  assert.equal(status.testLabelCounts[1], 1135);
  const sevens = (await lab.call('data.samples', { split: 'test', label: 7, offset: 5, count: 20 })) as Samples;
  assert.equal(sevens.total, 1028);
  assert.equal(sevens.indices.length, 20);
  assert.ok(sevens.labels.every((l) => l === 7));
  assert.equal(Buffer.from(sevens.pixels, 'base64').length, 20 * 784);
  const data = await loadMnist();
  const image = (await lab.call('data.image', { split: 'test', index: sevens.indices[0] })) as { label: number; pixels: number[] };
  assert.equal(image.label, 7);
  assert.deepEqual(image.pixels, Array.from(data.test.pixels.subarray(sevens.indices[0] * 784, (sevens.indices[0] + 1) * 784)));
});

test('train through the worker, then list, get, predict, export and re-import', async () => {
  const spec = presetSpec('mlp-256');
  spec.epochs = 1;
  const events: TrainEvent[] = [];
  const done = new Promise<RunResult>((resolve, reject) => {
    lab.on('train.event', (event) => {
      events.push(event);
      if (event.type === 'done') resolve(event.result);
      if (event.type === 'failed') reject(new Error(event.message));
    });
  });
  const { runId } = (await lab.call('train.start', { spec, limit: 6000, seed: 3 })) as { runId: string };
  await assert.rejects(lab.call('train.start', { spec }), /a run is already training/);
  const result = await done;
  assert.equal(result.runId, runId);
  assert.ok(events.some((e) => e.type === 'epochEnd'));
  const status = (await lab.call('train.status', null)) as { runId: string; events: TrainEvent[] };
  assert.equal(status.runId, runId);
  assert.ok(status.events.some((e) => e.type === 'done'));

  const runs = (await lab.call('runs.list', null)) as RunSummary[];
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'done');
  assert.equal(runs[0].hasModel, true);
  assert.equal(runs[0].params, 203530);
  const full = (await lab.call('runs.get', { runId })) as RunResult;
  assert.equal(full.evaluation.misclassified.length, 10000 - full.evaluation.confusionMatrix.reduce((s, r, k) => s + r[k], 0));

  // the model reads a real test digit
  const data = await loadMnist();
  let correct = 0;
  for (const i of [0, 1, 2, 3, 4]) {
    const input = Array.from(data.test.images.subarray(i * 784, (i + 1) * 784));
    const prediction = (await lab.call('predict', { model: 'latest', input })) as { digit: number; probabilities: number[] };
    assert.equal(prediction.probabilities.length, 10);
    assert.ok(Math.abs(prediction.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    if (prediction.digit === data.test.labels[i]) correct++;
  }
  assert.ok(correct >= 4, `${correct} of 5 test digits read right`);

  const files = (await lab.call('models.export', { runId })) as { modelJson: string; weights: Record<string, string> };
  assert.equal(JSON.parse(files.modelJson).format, 'layers-model');
  const imported = (await lab.call('models.import', {
    files: [{ name: 'model.json', base64: Buffer.from(files.modelJson).toString('base64') }, ...Object.entries(files.weights).map(([name, base64]) => ({ name, base64 }))],
    name: 'round trip',
  })) as RunSummary;
  assert.equal(imported.name, 'round trip');
  assert.equal(imported.accuracy, full.evaluation.accuracy);
  assert.equal((await lab.call('runs.list', null) as RunSummary[]).length, 2);
  await lab.call('runs.delete', { runId: imported.runId });
  assert.equal((await lab.call('runs.list', null) as RunSummary[]).length, 1);
});

test('settings persist across service instances', async () => {
  const settings = (await lab.call('settings.set', { language: 'zh-Hant', theme: 'dark' })) as { language: string; backend: string };
  assert.equal(settings.language, 'zh-Hant');
  assert.equal(settings.backend, 'auto');
  const other = new LabService({ home });
  try {
    assert.equal(((await other.call('settings.get', null)) as { theme: string }).theme, 'dark');
  } finally {
    await other.close();
  }
});

test('forged calls get clear errors and the lab keeps working', async () => {
  const cases: [unknown, unknown, RegExp][] = [
    ['fs.readFile', { path: '/etc/passwd' }, /unknown call "fs\.readFile"/],
    [42, null, /unknown call 42/],
    ['data.samples', { split: 'train', offset: '0', count: 5 }, /data\.samples\.offset must be a whole number from 0 to 60000, got "0"/],
    ['data.samples', { split: 'train', offset: 0, count: 5, path: '/etc' }, /data\.samples has an unknown field "path"/],
    ['data.image', { split: 'secret', index: 1 }, /data\.image\.split must be one of train, test/],
    ['train.start', { spec: { ...presetSpec('cnn-16-16'), input: 'flat' } }, /train\.start\.spec: layer 1 \(Conv2D\) needs an image/],
    ['train.start', { spec: presetSpec('mlp-16-16'), saveDir: '/etc' }, /train\.start has an unknown field "saveDir"/],
    ['runs.get', { runId: '../../etc' }, /runs\.get\.runId has an invalid form/],
    ['models.import', { files: [{ name: '../x.bin', base64: '' }] }, /models\.import\.files\[0\]\.name has an invalid form/],
    ['models.import', { files: [{ name: '/etc/passwd', base64: '' }] }, /models\.import\.files\[0\]\.name has an invalid form/],
    ['models.import', { files: [{ name: 'model.json', base64: Buffer.from('{nope').toString('base64') }] }, /model\.json: is not valid JSON/],
    ['predict', { model: 'latest', input: [1, 2, 3] }, /predict\.input must be a list of 784 numbers/],
    ['settings.set', { backend: 'gpu-please' }, /settings\.set\.backend must be one of auto, tensorflow/],
    ['engine.info', { anything: true }, /engine\.info must be empty/],
  ];
  for (const [name, args, message] of cases) {
    await assert.rejects(lab.call(name, args), message, `${String(name)} ${JSON.stringify(args)}`);
  }
  const train = await lab.call('train.start', { spec: { ...presetSpec('cnn-16-16'), input: 'flat' } }).catch((e: { layer?: number }) => e);
  assert.equal((train as { layer?: number }).layer, 0);
  assert.equal(((await lab.call('data.status', null)) as { verified: boolean }).verified, true);
});
