// `digit-lab bench`: what it reports, not how fast (speed is the bench's output, never asserted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { testBackends } from './helpers/engines';
import { kerasPython } from './helpers/python';
import { runCli } from './helpers/cli';


const run = (...args: string[]) => runCli(args);

interface Report {
  machine: { cpu: string; cores: number; memoryGB: number };
  rows: { preset: string; backend: string; workers: number; batchSize: number; samplesPerSecond: number; msPerStep: number; peakRssMB: number; firstBatchSeconds: number; dataReadySeconds: number | null; predictP95Ms: number | null; augmentMsPerStep?: number; augmentShare?: number; note?: string; kerasBackend?: string }[];
  skipped: { preset: string; backend: string; error: string }[];
}

test('bench --json: one JSON document with the machine and a row per preset and backend that loads, and Keras as a peer', async () => {
  const python = kerasPython();
  const peers = python ? ['--peers', python, '--python', python] : [];
  const { code, stdout, stderr } = await run('bench', '--quick', '--preset', 'mlp-256', '--workers', '2', '--no-paint', ...peers, '--json');
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as Report;
  assert.equal(report.machine.cores, cpus().length);
  const backends = [...testBackends(), ...(python ? ['keras', 'keras-tensorflow', 'keras-jax'] : [])];
  assert.deepEqual(report.rows.map((r) => r.backend).sort(), [...backends].sort(), stdout);
  for (const row of report.rows) {
    assert.deepEqual([row.preset, row.batchSize], ['mlp-256', 128]);
    // the keras row (the Keras engine) reads no data in the lab and leaves readings to the lab's engine
    const keys = row.backend === 'keras' ? (['samplesPerSecond', 'msPerStep', 'peakRssMB', 'firstBatchSeconds'] as const) : (['samplesPerSecond', 'msPerStep', 'peakRssMB', 'firstBatchSeconds', 'dataReadySeconds', 'predictP95Ms'] as const);
    for (const key of keys) assert.ok(Number.isFinite(row[key]) && row[key]! > 0, `${row.backend} ${key}: ${row[key]}`);
    // samples/s and ms/step are one measurement seen two ways
    assert.ok(Math.abs(row.samplesPerSecond * row.msPerStep - 128 * 1000) / (128 * 1000) < 0.05, `${row.samplesPerSecond} samples/s vs ${row.msPerStep} ms/step`);
    // the lab's own rows say what augmenting a batch adds; a peer's row does not measure it
    if (!row.backend.startsWith('keras')) {
      assert.ok(Number.isFinite(row.augmentMsPerStep) && row.augmentMsPerStep! > 0, `${row.backend} augmentMsPerStep: ${row.augmentMsPerStep}`);
      // a step with augmented batches against one without: the feed can hide augmenting entirely, so only a ratio's range
      assert.ok(Number.isFinite(row.augmentShare) && row.augmentShare! > -1, `${row.backend} augmentShare: ${row.augmentShare}`);
    }
  }
  // Keras trains on every core, on the same images at the same batch size
  for (const peer of report.rows.filter((r) => r.backend.startsWith('keras-'))) assert.equal(peer.workers, cpus().length);
  const wasm = report.rows.find((r) => r.backend === 'wasm');
  assert.equal(wasm?.workers, 2);
  assert.equal(wasm?.note, undefined);
  if (backends.includes('tensorflow')) {
    // --workers 2 does not apply to tensorflow, and the row says so
    const native = report.rows.find((r) => r.backend === 'tensorflow');
    assert.equal(native?.workers, 1);
    assert.match(native?.note ?? '', /--workers 2 does not apply to tensorflow/);
    assert.deepEqual(report.skipped, []);
  } else {
    // where tfjs-node is not installed, its row is reported as skipped, with the reason
    assert.deepEqual(report.skipped.map((s) => [s.preset, s.backend]), [['mlp-256', 'tensorflow']]);
    assert.match(report.skipped[0].error, /tfjs-node/);
  }
  // TensorFlow's own log lines stay off stderr
  assert.doesNotMatch(stderr, /cpu_feature_guard/);
});

test('bench refuses an unknown preset and a bad --workers, naming them', async () => {
  const preset = await run('bench', '--preset', 'mlp-999');
  assert.notEqual(preset.code, 0);
  assert.match(preset.stderr, /mlp-999/);
  for (const bad of ['65']) {
    const workers = await run('bench', '--workers', bad);
    assert.notEqual(workers.code, 0);
    assert.match(workers.stderr, new RegExp(`--workers must be auto or a whole number from 1 to 64, got "${bad}"`));
  }
  const max = await run('bench', '--scaling', '--workers-max', '0');
  assert.notEqual(max.code, 0);
  assert.match(max.stderr, /--workers-max must be a whole number from 1 to 64, got "0"/);
});

test('bench --scaling: samples/s at 1 and 2 threads, the speed-up and efficiency against one, and the measured step costs', async () => {
  const { code, stdout, stderr } = await run('bench', '--scaling', '--workers-max', '2', '--quick', '--preset', 'mlp-256', '--json');
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as Report & { paint?: unknown; scaling: { preset: string; workers: number; samplesPerSecond: number; speedup: number; efficiency: number }[] };
  assert.deepEqual(report.scaling.map((r) => [r.preset, r.workers]), [['mlp-256', 1], ['mlp-256', 2]]);
  assert.equal(report.scaling[0].speedup, 1);
  for (const r of report.scaling) {
    assert.ok(r.samplesPerSecond > 0 && Math.abs(r.efficiency - r.speedup / r.workers) < 1e-9, JSON.stringify(r));
    const row = report.rows.find((x) => x.workers === r.workers) as unknown as { backend: string; cost: Record<string, number> };
    assert.equal(row.backend, 'wasm');
    assert.ok(row.cost.computeMsPerSample > 0 && row.cost.syncMsPerStep > 0, JSON.stringify(row.cost));
    // the replicas' side is measured only where there are replicas
    assert.equal(row.cost.replicaComputeMsPerSample > 0, r.workers > 1, JSON.stringify(row.cost));
  }
  assert.equal(report.paint, undefined);
});
