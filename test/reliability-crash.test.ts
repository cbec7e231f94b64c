// kill -9 of `digit-lab train` at random moments (starting, training, evaluating, and in the
// middle of the final save): after each, the next start of the lab leaves no litter, the output
// folder holds the old model or the new one (never a broken one), and the run history parses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededUniform } from '../src/models/random';
import { buildModel } from '../src/models/build';
import { presetSpec } from '../src/shared/presets';
import { loadModel, saveModel } from '../src/files/model-files';
import type { RunSummary } from '../src/shared/contract';
import { runHelper } from './helpers/child';
import { cases } from './helpers/reliability';

const BIN = fileURLToPath(new URL('../bin/digit-lab.js', import.meta.url));
/** Where a kill lands: after the child prints one of these, or when its save's temp folder appears. */
const MOMENTS = ['start', 'Backend:', 'Epoch 1/1', 'Evaluating', 'save'] as const;
const LITTER = /\.(tmp|old)$|\.tmp-|^import-|\.part$/;

let home: string;
let out: string;

before(async () => {
  await tf.setBackend('cpu');
  home = await mkdtemp(join(tmpdir(), 'digit-lab-kill-'));
  out = join(home, 'models', 'crash');
  const spec = presetSpec('mlp-16-16');
  const model = buildModel(spec, { seed: 3 });
  await saveModel(model, out, { format: 1, name: 'the old model', createdAt: new Date().toISOString(), spec });
  model.dispose();
});

after(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Every path under `dir`, relative to it. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    found.push(prefix + entry.name);
    if (entry.isDirectory()) found.push(...(await walk(join(dir, entry.name), `${prefix}${entry.name}/`)));
  }
  return found;
}

/** Trains into `out`, killed with SIGKILL at `moment` (plus `extraMs`); resolves once it is gone. */
async function trainAndKill(moment: (typeof MOMENTS)[number], extraMs: number): Promise<string | null> {
  const child = spawn(process.execPath, [BIN, 'train', 'mlp-16-16', '--epochs', '1', '--limit', '300', '--validation-split', '0', '--seed', '1', '--out', out], {
    env: { ...process.env, DIGIT_LAB_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<string | null>((done) => child.once('exit', (code, signal) => done(signal ?? String(code))));
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.resume();
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const reached = async (): Promise<boolean> => {
    if (moment === 'start') return true;
    if (moment !== 'save') return stdout.includes(moment);
    // The save's temp folder (or the old folder set aside) beside the output: the kill lands inside replaceFolder.
    return (await readdir(join(home, 'models'))).some((name) => /^crash\.\d+\.[0-9a-f]{8}\.(tmp|old)$/.test(name));
  };
  while (!ended() && !(await reached())) await sleep(moment === 'save' ? 1 : 10);
  if (extraMs > 0) await sleep(extraMs);
  child.kill('SIGKILL');
  return exited;
}

test(`kill -9 during training and the final save, ${cases(2, 24)} times: no broken model, history parses, the next start leaves no litter`, { timeout: cases(300_000, 1_800_000) }, async (t) => {
  const random = seededUniform(9);
  const kills = cases(2, 24);
  for (let i = 0; i < kills; i++) {
    // Every other kill aims at the save; the others at a random stage.
    const moment = i % 2 === 1 ? 'save' : MOMENTS[Math.floor(random() * (MOMENTS.length - 1))];
    const extra = moment === 'save' ? Math.floor(random() * 15) : Math.floor(random() * 400);
    const ended = await trainAndKill(moment, extra);
    const what = `kill ${i + 1} (${moment} + ${extra} ms, ended by ${ended})`;
    t.diagnostic(what);

    const runs = JSON.parse(await runHelper('./start-lab-child.ts', [home], 120_000)) as RunSummary[];
    const litter = (await walk(home)).filter((path) => LITTER.test(path.split('/').at(-1)!));
    assert.deepEqual(litter, [], `${what}: the next start left litter`);
    assert.ok((await stat(join(out, 'model.json'))).isFile(), `${what}: the output folder lost its model`);
    const loaded = await loadModel(out);
    loaded.model.dispose();
    assert.ok(['the old model', 'mlp-16-16'].includes(loaded.metadata?.name ?? ''), `${what}: the model is the old one or the new one (${loaded.metadata?.name})`);
    const history = JSON.parse(await readFile(join(home, 'runs.json'), 'utf8')) as { runs: { runId: string; status: string }[] };
    assert.ok(history.runs.every((run) => typeof run.runId === 'string' && typeof run.status === 'string'), `${what}: runs.json`);
    assert.ok(runs.some((run) => run.runId === 'crash' || run.hasModel), `${what}: the saved model is listed as a run`);
  }
});
