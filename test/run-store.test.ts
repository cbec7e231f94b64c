// One run store for the CLI and the app: a run trained with `digit-lab train` is found,
// evaluated, read with and deleted through the lab service, wherever its model was saved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService, type LabService } from '../src/lab/service';
import { loadMnist, type Mnist } from '../src/data/mnist';
import type { Prediction, RunSummary } from '../src/shared/contract';
import type { Evaluation, RunResult } from '../src/shared/training';

const BIN = new URL('../bin/digit-lab.js', import.meta.url).pathname;
let home: string;
let mnist: Mnist;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-run-store-'));
  mnist = await loadMnist();
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

/** `digit-lab train mlp-256` on 2,000 images for one epoch, as a user runs it, into this test's lab home. */
function train(...args: string[]): Promise<RunResult> {
  const argv = [BIN, 'train', 'mlp-256', '--epochs', '1', '--batch-size', '50', '--limit', '2000', '--validation-split', '0', '--seed', '1', '--backend', 'wasm', '--json', ...args];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { env: { ...process.env, DIGIT_LAB_HOME: home }, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`digit-lab train failed: ${stderr}`));
      else resolve(JSON.parse(stdout) as RunResult);
    });
  });
}

async function withLab<T>(work: (lab: LabService) => Promise<T>): Promise<T> {
  const lab = await createLabService({ home, cacheDir: join(home, 'cache') });
  try {
    return await work(lab);
  } finally {
    await lab.close();
  }
}

test('a run trained from the CLI is listed with its model, evaluated, read with, and deleted with its folder', async () => {
  const result = await train();
  assert.ok(result.modelDir?.startsWith(join(home, 'models')), result.modelDir);
  assert.ok(existsSync(join(result.modelDir!, 'model.json')));

  await withLab(async (lab) => {
    const runs = (await lab.call('runs.list', null)) as RunSummary[];
    assert.deepEqual(runs.map((r) => [r.runId, r.status, r.hasModel]), [[result.runId, 'done', true]]);

    const evaluation = (await lab.call('runs.evaluation', { runId: result.runId })) as Evaluation;
    assert.equal(evaluation.accuracy, result.evaluation.accuracy);
    assert.ok(evaluation.accuracy > 0.5, `test accuracy ${evaluation.accuracy}`);

    // the test set's first ten images, read by the latest model: most of them right
    let right = 0;
    for (let i = 0; i < 10; i++) {
      const input = Array.from(mnist.test.images.subarray(i * 784, (i + 1) * 784));
      const reading = (await lab.call('predict', { model: 'latest', input })) as Prediction;
      if (reading.digit === mnist.test.labels[i]) right++;
    }
    assert.ok(right >= 6, `read ${right} of 10 test digits right`);

    await lab.call('runs.delete', { runId: result.runId });
    assert.deepEqual(await lab.call('runs.list', null), []);
    assert.equal(existsSync(result.modelDir!), false, 'the model folder is deleted with the run');
    assert.deepEqual(await readdir(join(home, 'models')), []);
    await assert.rejects(lab.call('predict', { model: 'latest', input: new Array(784).fill(0) }), /there is no trained model yet/);
  });
});

test('a run saved with --out is found there; deleting it forgets the run but leaves the folder the user named', async () => {
  const out = join(home, 'mine');
  const result = await train('--out', out);
  assert.equal(result.modelDir, out);

  await withLab(async (lab) => {
    const runs = (await lab.call('runs.list', null)) as RunSummary[];
    assert.deepEqual(runs.map((r) => [r.runId, r.hasModel]), [[result.runId, true]]);
    const report = (await lab.call('runs.get', { runId: result.runId })) as RunResult;
    assert.equal(report.evaluation.misclassified.length, result.evaluation.misclassified.length);
    await lab.call('runs.delete', { runId: result.runId });
    assert.deepEqual(await lab.call('runs.list', null), []);
  });
  assert.ok(existsSync(join(out, 'model.json')), 'the --out folder stays');
});
