// The Keras engine on real Keras (the venv scripts/python-env.sh builds, JAX backend): training
// from the command line and through the lab, the run it leaves, and each way it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetSpec } from '../src/shared/presets';
import { probeKeras } from '../src/engine/keras-engine';
import { KerasProtocolError, parseFromKeras } from '../src/engine/keras-protocol';
import { fit } from '../src/training/fit';
import type { EnginesReport, Prediction, RunSummary } from '../src/shared/contract';
import type { Evaluation, RunResult, TrainEvent } from '../src/shared/training';
import { kerasPython, noKeras } from './helpers/python';
import { runCli } from './helpers/cli';
import { wasmAndMnist } from './helpers/wasm-lab';
import { call, home, lab, mnist, testImage, useTestLab } from './helpers/test-lab';

/** A few hundred images, one epoch: enough to learn something, little enough for CI. */
const LIMIT = 600;
const SEED = 1;
/**
 * Keras and the lab start from different random weights and shuffle differently, so one short
 * epoch on 600 images lands a few points apart (measured here: 0.5 to 4 points); a gap over 10
 * points would be a real difference, such as a wrong input scale or wrong gates.
 */
const ACCURACY_GAP = 0.1;

process.env.KERAS_BACKEND ??= 'jax';
process.env.JAX_PLATFORMS ??= 'cpu';

useTestLab('digit-lab-keras-engine-');

function untilEnd(events: TrainEvent[], onEvent?: (event: TrainEvent) => void): Promise<TrainEvent> {
  return new Promise((resolve) => {
    const off = lab.on('train.event', (event) => {
      events.push(event);
      onEvent?.(event);
      if (event.type !== 'done' && event.type !== 'failed') return;
      off();
      resolve(event);
    });
  });
}

/** The pid of this process's grandchild running keras_engine.py (the training worker's Python). */
async function kerasWorkerPid(): Promise<number | null> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('keras_engine.py')) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === process.pid) return Number(entry);
  }
  return null;
}

test('protocol: a line that is not a message is refused, saying what is wrong', () => {
  assert.throws(() => parseFromKeras('Epoch 1/1'), new KerasProtocolError('not JSON'));
  assert.throws(() => parseFromKeras('{"type":"shout"}'), /unknown message type "shout"/);
  assert.throws(() => parseFromKeras('{"type":"batch","epoch":1}'), /batch must be a number/);
  assert.throws(() => parseFromKeras('{"type":"epochEnd","epoch":1,"epochs":1,"logs":{"loss":1},"seconds":1,"msPerStep":1}'), /logs must hold loss and acc/);
  // Python's NaN goes as null and comes back as NaN
  const batch = parseFromKeras('{"type":"batch","epoch":1,"batch":1,"batches":2,"samples":32,"totalSamples":64,"loss":null,"acc":0.5,"msPerStep":3,"etaSeconds":0}');
  assert.ok(batch.type === 'batch' && Number.isNaN(batch.loss));
});

test('failures: no such Python, a Python without Keras, a backend that fails, a worker that talks nonsense', { skip: noKeras() }, async () => {
  const python = kerasPython()!;
  await assert.rejects(probeKeras('/nonexistent/python3'), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'keras.noPython');
    assert.match(error.message, /^cannot start Python \/nonexistent\/python3: no such program; give a Python with Keras 3/);
    return true;
  });
  const dir = await mkdtemp(join(tmpdir(), 'digit-lab-pythons-'));
  const saved = process.env.KERAS_BACKEND;
  try {
    // the venv's Python with its site-packages switched off: a real Python with no Keras
    const bare = join(dir, 'bare-python');
    await writeFile(bare, `#!/bin/sh\nexec "${python}" -S "$@"\n`);
    await chmod(bare, 0o755);
    await assert.rejects(probeKeras(bare), { code: 'keras.noKeras', message: `${bare} has no Keras: install Keras 3 and a backend into it (pip install keras jax)` });
    process.env.KERAS_BACKEND = 'no-such-backend';
    await assert.rejects(probeKeras(python), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'keras.backendFailed');
      assert.match(error.message, /could not start its backend: ValueError: .*no-such-backend/);
      return true;
    });
    process.env.KERAS_BACKEND = saved;
    const chatty = join(dir, 'chatty-python');
    await writeFile(chatty, '#!/bin/sh\necho "Using JAX backend."\nsleep 5\n');
    await chmod(chatty, 0o755);
    await assert.rejects(probeKeras(chatty), { code: 'keras.protocol', message: 'the Keras worker sent a message the lab cannot read (not JSON): Using JAX backend.' });
    // from the command line: the code for scripts, the sentence for people
    const cli = await runCli(['train', 'mlp-256', '--limit', '200', '--epochs', '1', '--backend', 'keras', '--python', bare, '--json'], dir);
    assert.equal(cli.code, 1);
    assert.deepEqual(JSON.parse(cli.stdout), { error: { code: 'keras.noKeras', message: `${bare} has no Keras: install Keras 3 and a backend into it (pip install keras jax)` } });
  } finally {
    process.env.KERAS_BACKEND = saved;
    await rm(dir, { recursive: true, force: true });
  }
});

test('engine --python: the keras engine is listed with its versions, or why it is missing', { skip: noKeras() }, async () => {
  const python = kerasPython()!;
  const found = await runCli(['engine', '--json', '--backend', 'keras', '--python', python]);
  assert.equal(found.code, 0, found.stderr);
  const report = JSON.parse(found.stdout) as EnginesReport;
  const keras = report.engines.find((e) => e.backend === 'keras')!;
  assert.equal(keras.available, true, keras.detail);
  assert.match(keras.detail, /^Keras 3\.\d+\.\d+ on jax in /);
  assert.deepEqual(report.jobs.map((j) => j.job + ':' + j.backend).slice(0, 1), ['train:keras']);
  assert.equal(report.jobs[2].backend, 'wasm');
  const missing = await runCli(['engine', '--python', '/nonexistent/python3']);
  assert.equal(missing.code, 0, missing.stderr);
  assert.match(missing.stdout, /^ {2}keras +missing +cannot start Python \/nonexistent\/python3: no such program/m);
});

test('command line: train on the keras engine, then evaluate and predict with the model it saved; a killed run\'s scratch folder is swept', { skip: noKeras() }, async () => {
  const out = join(home, 'cli-model');
  // The scratch folder of a lab killed mid-run (its process is gone), and one of a live process (this one)
  const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  const leftover = join(tmpdir(), `digit-lab-keras-${deadPid}-killed`);
  const live = join(tmpdir(), `digit-lab-keras-${process.pid}-running`);
  for (const dir of [leftover, live]) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'x.npy'), 'scratch');
  }
  const trained = await runCli(['train', 'mlp-256', '--limit', String(LIMIT), '--epochs', '1', '--seed', String(SEED), '--backend', 'keras', '--python', kerasPython()!, '--out', out], home);
  assert.equal(trained.code, 0, trained.stderr);
  assert.equal(existsSync(leftover), false, 'the killed run\'s scratch folder is swept');
  assert.equal(existsSync(live), true, 'a running process\'s scratch folder is left alone');
  await rm(live, { recursive: true, force: true });
  assert.match(trained.stdout, /^Backend: keras \(Keras 3\.\d+\.\d+ on jax, Python 3\.\d+\.\d+\): forced by --backend keras/m);
  // mlp-256 validates on the last fifth, as Keras's validation_split does
  assert.match(trained.stdout, /^Train on 480 samples, validate on 120 samples$/m);
  assert.match(trained.stdout, /^480\/480 \[=+\] - \d+s \d+ms\/step - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}$/m);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as RunResult;
  assert.equal(report.engine.backend, 'keras');
  assert.deepEqual([report.trainCount, report.validationCount, report.epochsCompleted], [480, 120, 1]);
  assert.equal(report.history.val_acc?.length, 1);
  // ten classes: chance is 10%
  assert.ok(report.evaluation.accuracy > 0.3, `accuracy ${report.evaluation.accuracy}`);
  const evaluated = await runCli(['evaluate', out, '--json'], home);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.equal((JSON.parse(evaluated.stdout) as Evaluation).accuracy, report.evaluation.accuracy);
});

test('the lab: a keras run is listed, evaluates and predicts; its accuracy is near wasm\'s; pause, resume and stop; a killed worker fails the run and the lab goes on', { skip: noKeras() }, async () => {
  await call('settings.set', { backend: 'keras', python: kerasPython()! });
  const spec = { ...presetSpec('mlp-256'), epochs: 1 };
  const events: TrainEvent[] = [];
  const ended = untilEnd(events);
  const { runId } = await call<{ runId: string }>('train.start', { spec, limit: LIMIT, seed: SEED });
  const end = await ended;
  assert.equal(end.type, 'done', end.type === 'failed' ? end.message : '');
  const kinds = [...new Set(events.map((e) => e.type))];
  assert.deepEqual(kinds, ['start', 'epochBegin', 'batch', 'epochEnd', 'evaluating', 'done']);
  const start = events[0] as Extract<TrainEvent, { type: 'start' }>;
  assert.equal(start.engine.backend, 'keras');
  assert.equal(start.trainCount, 480);
  const lastBatch = events.filter((e) => e.type === 'batch').at(-1) as Extract<TrainEvent, { type: 'batch' }>;
  assert.deepEqual([lastBatch.batch, lastBatch.samples], [lastBatch.batches, 480]);

  const listed = (await call<RunSummary[]>('runs.list')).find((r) => r.runId === runId)!;
  assert.equal(listed.status, 'done');
  assert.equal(listed.backend, 'keras');
  const evaluation = await call<Evaluation>('runs.evaluation', { runId });
  const prediction = await call<Prediction>('predict', { model: runId, input: testImage(0) });
  assert.equal(prediction.digit, evaluation.misclassified.find((m) => m.index === 0)?.predicted ?? mnist.test.labels[0]);
  assert.equal(prediction.probabilities.length, 10);

  // the same settings on wasm, in this process
  const { engine, data } = await wasmAndMnist();
  const wasm = await fit({ spec, limit: LIMIT, seed: SEED }, data, { runId: 'wasm', engine, emit: () => {} });
  const gap = Math.abs(wasm.evaluation.accuracy - evaluation.accuracy);
  assert.ok(gap < ACCURACY_GAP, `keras ${evaluation.accuracy} against wasm ${wasm.evaluation.accuracy}`);
  console.log(`# keras ${(evaluation.accuracy * 100).toFixed(2)}% against wasm ${(wasm.evaluation.accuracy * 100).toFixed(2)}% (mlp-256, ${LIMIT} images, 1 epoch)`);

  // pause, resume and stop reach Keras between batches; a stopped run is still evaluated and kept.
  // This one also fine-tunes the first run's model on MNIST plus one My digit.
  await call('digits.add', { label: mnist.test.labels[1], input: testImage(1) });
  const controlled: TrainEvent[] = [];
  const stoppedEnd = untilEnd(controlled, (event) => {
    if (event.type === 'batch' && !controlled.some((e) => e.type === 'paused')) void call('train.pause');
    if (event.type === 'paused') void call('train.resume');
    if (event.type === 'resumed') void call('train.stop');
  });
  await call('train.start', { spec: { ...spec, epochs: 50 }, limit: LIMIT, seed: SEED, myDigits: true, myDigitsRepeat: 2, initFrom: runId });
  const stopped = await stoppedEnd;
  assert.ok(stopped.type === 'done', stopped.type === 'failed' ? stopped.message : stopped.type);
  assert.equal(stopped.result.stopped, true);
  assert.deepEqual([stopped.result.myDigitsCount, stopped.result.trainCount], [2, 482]);
  // it starts from the trained weights: its first batches' loss is well below a fresh model's
  const firstLoss = (list: TrainEvent[]) => (list.find((e) => e.type === 'batch') as Extract<TrainEvent, { type: 'batch' }>).loss;
  assert.ok(firstLoss(controlled) < firstLoss(events) - 0.1, `fine-tuned ${firstLoss(controlled)} against fresh ${firstLoss(events)}`);
  assert.ok(stopped.result.epochsCompleted < 50);
  assert.deepEqual(controlled.filter((e) => e.type === 'paused' || e.type === 'resumed').map((e) => e.type), ['paused', 'resumed']);

  // killed mid-run: the run is failed and recorded so; the lab answers and trains again
  const killedEvents: TrainEvent[] = [];
  let killed = false;
  const killedEnd = untilEnd(killedEvents, (event) => {
    if (event.type !== 'epochBegin' || killed) return;
    killed = true;
    void kerasWorkerPid().then((pid) => {
      assert.ok(pid, 'the Keras worker is running');
      process.kill(pid, 'SIGKILL');
    });
  });
  const second = await call<{ runId: string }>('train.start', { spec: { ...spec, epochs: 50 }, limit: LIMIT, seed: SEED });
  const failed = await killedEnd;
  assert.ok(failed.type === 'failed', failed.type);
  assert.equal(failed.code, 'keras.workerDied');
  assert.match(failed.message, /^the Keras worker \(.*\) ended during the run: killed by SIGKILL/);
  const record = (await call<RunSummary[]>('runs.list')).find((r) => r.runId === second.runId)!;
  assert.equal(record.status, 'failed');
  assert.equal((await call<Prediction>('predict', { model: runId, input: testImage(0) })).digit, prediction.digit);
});
