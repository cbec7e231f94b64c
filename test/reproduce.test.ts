// "Reproduce the tutorials" from the command line and from the lab the desktop views call:
// real quick runs on real MNIST, their rows set beside the seeds' accuracies or real Keras's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService, type LabService } from '../src/lab/service';
import type { RunSummary } from '../src/shared/contract';
import { PRESETS } from '../src/shared/presets';
import { KERAS_REFERENCE } from '../src/shared/keras-reference';
import { formatSpread, QUICK, referenceOf, spreadOf, type ReproduceRow, type ReproduceStatus } from '../src/shared/reproduce';
import { runCli } from './helpers/cli';

let home: string;
let lab: LabService;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-reproduce-'));
  lab = await createLabService({ home, cacheDir: join(home, 'cache') });
});
after(async () => {
  await lab.close();
  await rm(home, { recursive: true, force: true });
});

const run = (...args: string[]) => runCli(args, home);

test('every preset has a reference: the accuracy its seed printed, or one measured with real Keras', () => {
  for (const preset of PRESETS) {
    const reference = referenceOf(preset);
    assert.ok(reference, `${preset.id} has no reference accuracy`);
    assert.ok(reference.accuracy > 0.8 && reference.accuracy < 1, `${preset.id}: ${reference.accuracy}`);
    if (reference.source === 'keras') assert.match(KERAS_REFERENCE[preset.id].keras, /^3\.\d+\.\d+$/);
  }
});

test('where Keras was trained over several seeds, the reference carries its mean ± sd; a Keras reference is that mean', () => {
  const spread = spreadOf({ accuracy: 0.97, accuracies: [0.96, 0.97, 0.98], seeds: [1, 2, 3], keras: '3.15.1', backend: 'jax', measuredOn: '2026-11-30' });
  assert.ok(spread && Math.abs(spread.mean - 0.97) < 1e-12 && Math.abs(spread.sd - 0.01) < 1e-12, JSON.stringify(spread)); // sample sd
  assert.equal(spread.runs, 3);
  assert.equal(formatSpread(spread), '97.00% ± 1.00');
  assert.equal(spreadOf({ accuracy: 0.97, accuracies: [0.97], seeds: [1], keras: '3.15.1', backend: 'jax', measuredOn: '2026-11-30' }), undefined);
  for (const preset of PRESETS) {
    const keras = KERAS_REFERENCE[preset.id];
    if (!keras) continue;
    assert.equal(keras.accuracies.length, keras.seeds.length, preset.id);
    const reference = referenceOf(preset)!;
    if (preset.seedAccuracy === undefined) assert.ok(Math.abs(reference.accuracy - keras.accuracies.reduce((a, b) => a + b) / keras.accuracies.length) < 1e-4, preset.id);
    else assert.equal(reference.accuracy, preset.seedAccuracy, `${preset.id}: the seed's own run stays its reference`);
    assert.equal(reference.spread?.runs, keras.seeds.length > 1 ? keras.seeds.length : undefined, preset.id);
  }
});

test('digit-lab reproduce --preset mlp-50-sgd --quick: trains it and compares it with the seed', async () => {
  const { code, stdout, stderr } = await run('reproduce', '--preset', 'mlp-50-sgd', '--quick', '--json');
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as { quick: boolean; rows: ReproduceRow[] };
  assert.equal(report.quick, true);
  assert.equal(report.rows.length, 1);
  const [row] = report.rows;
  assert.equal(row.status, 'done');
  assert.deepEqual(row.reference, { accuracy: 0.9122, source: 'seed' });
  // one SGD epoch on 6,000 images learns, but not as far as the seed's ten on 60,000
  assert.ok(row.accuracy! > 0.3 && row.accuracy! < 0.9122, `accuracy ${row.accuracy}`);
  assert.ok(Math.abs(row.difference! - (row.accuracy! - 0.9122) * 100) < 1e-9);
  assert.ok(row.seconds! > 0);

  const text = await run('reproduce', '--preset', 'mlp-50-sgd', '--quick');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /\[1\/1\] mlp-50-sgd: 1 epoch\(s\) × batch 128, sgd, the first 6000 images/);
  assert.match(text.stdout, /mlp-50-sgd\s+91\.22% seed\s+\d+\.\d\d%\s+−\d+\.\d\d\s+\d+\.\d s/);
});

test('digit-lab reproduce names an unknown preset', async () => {
  const { code, stderr } = await run('reproduce', '--preset', 'mlp-9000');
  assert.notEqual(code, 0);
  assert.match(stderr, /unknown preset "mlp-9000"; the presets are: mlp-16-16, /);
});

test('the lab reproduces a preset as a run, reporting each change of the table', async () => {
  const statuses: ReproduceStatus[] = [];
  const finished = new Promise<ReproduceStatus>((resolve) => {
    lab.on('reproduce.status', (status) => {
      statuses.push(status);
      if (!status.running) resolve(status);
    });
  });
  const started = (await lab.call('reproduce.start', { presets: ['mlp-16-16'], quick: true })) as ReproduceStatus;
  assert.equal(started.running, true);
  assert.equal(started.current, 'mlp-16-16');
  assert.equal(started.rows[0].status, 'training');
  await assert.rejects(lab.call('reproduce.start', { presets: ['mlp-16-16'] }), /being reproduced already/);
  const status = await finished;
  const [row] = status.rows;
  assert.equal(row.status, 'done');
  assert.equal(row.reference?.source, 'keras');
  assert.ok(row.accuracy! > 0.3, `accuracy ${row.accuracy}`);
  // the run is in the Runs view, trained on the quick check's settings
  const runs = (await lab.call('runs.list', null)) as RunSummary[];
  const made = runs.find((r) => r.runId === row.runId);
  assert.equal(made?.spec.name, 'mlp-16-16');
  assert.equal(made?.spec.epochs, QUICK.epochs);
  assert.deepEqual((await lab.call('reproduce.status', null)) as ReproduceStatus, status);
});

test('reproduce.start refuses an unknown preset by name', async () => {
  await assert.rejects(lab.call('reproduce.start', { presets: ['nope'] }), /reproduce\.start\.presets\[0\] must be one of mlp-16-16, .*got "nope"/);
  await assert.rejects(lab.call('reproduce.start', { quick: 'yes' }), /reproduce\.start\.quick must be true or false/);
});
