// `digit-lab engine` and `engine link-tensorflow`: what they report and how they refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobEngines, readingChoice } from '../src/engine/engines';
import { supportedTensorflow } from '../src/engine/python-tensorflow';
import type { EnginesReport } from '../src/shared/contract';
import { kerasPython } from './helpers/python';
import { testBackends, webgpuEngine } from './helpers/engines';
import { runCli } from './helpers/cli';


const run = (...args: string[]) => runCli(args);

test('engine --json: the four engines, and which one each job uses under auto', async () => {
  const { code, stdout, stderr } = await run('engine', '--json');
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as EnginesReport;
  const linked = testBackends().includes('tensorflow');
  const gpu = webgpuEngine();
  assert.deepEqual(report.engines.map((e) => [e.backend, e.available]).slice(0, 4), [['tensorflow', linked], ['webgpu', gpu !== undefined], ['wasm', true], ['cpu', true]]);
  // keras: python3 on PATH, with or without Keras 3 (engine-keras.test.ts checks both)
  assert.equal(report.engines[4].backend, 'keras');
  assert.equal(report.linkCommand, 'digit-lab engine link-tensorflow');
  // a GPU only where it is hardware
  const batches = gpu && !gpu.software ? 'webgpu' : linked ? 'tensorflow' : 'wasm';
  assert.deepEqual(report.jobs.map((j) => [j.job, j.backend]), [['train', batches], ['evaluate', batches], ['paint', 'wasm']]);
  if (linked && report.link) {
    // linked by this lab's command: the detail names the TensorFlow it runs on
    assert.match(report.engines[0].detail, new RegExp(`on TensorFlow ${report.link.loaded.replace(/\./g, '\\.')}, linked to`));
  } else if (!linked) {
    assert.match(report.engines[0].detail, /digit-lab engine link-tensorflow \[--python PATH\]/);
  }
  assert.doesNotMatch(stderr, /cpu_feature_guard/);
});

test('engine: a forced backend runs every job; text output names the jobs', async () => {
  const { code, stdout, stderr } = await run('engine', '--backend', 'wasm');
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^with --backend wasm:$/m);
  assert.match(stdout, /paint pad, one image\s+wasm\s+the backend is set to wasm/);
  assert.deepEqual(jobEngines('cpu', true).map((j) => j.backend), ['cpu', 'cpu', 'cpu']);
  assert.deepEqual(jobEngines('tensorflow-gpu', true).map((j) => j.backend), ['tensorflow', 'tensorflow', 'tensorflow']);
  assert.equal(readingChoice('auto'), 'wasm');
  assert.equal(readingChoice('tensorflow'), 'tensorflow');
  assert.equal(readingChoice('webgpu'), 'wasm');
  // keras trains; the model it leaves is evaluated and read as under auto
  assert.deepEqual(jobEngines('keras', false).map((j) => j.backend), ['keras', 'wasm', 'wasm']);
  assert.equal(readingChoice('keras'), 'wasm');
});

test('engine link-tensorflow refuses a missing Python and a Python without TensorFlow, saying what to do', async () => {
  const missing = await run('engine', 'link-tensorflow', '--python', '/nonexistent/python3');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /digit-lab: there is no Python at "\/nonexistent\/python3"/);

  const python = kerasPython();
  if (python) {
    // the venv's own Python with its site-packages switched off: a real Python with no TensorFlow
    const dir = await mkdtemp(join(tmpdir(), 'digit-lab-python-'));
    try {
      const bare = join(dir, 'python');
      await writeFile(bare, `#!/bin/sh\nexec "${python}" -S "$@"\n`);
      await chmod(bare, 0o755);
      const none = await run('engine', 'link-tensorflow', '--python', bare);
      assert.equal(none.code, 1);
      assert.match(none.stderr, new RegExp(`the Python at "${bare}" \\(3\\.\\d+\\.\\d+\\) has no TensorFlow: install it with \`${bare} -m pip install tensorflow-cpu\``));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const action = await run('engine', 'link-torch');
  assert.equal(action.code, 2);
  assert.match(action.stderr, /engine: unknown action "link-torch"; the action is link-tensorflow/);
});

test('TensorFlow versions: 2.9 and newer 2.x link; 1.x, 2.8 and 3.x do not', () => {
  for (const version of ['2.9.1', '2.16.2', '2.21.0', '2.22.0rc1']) assert.equal(supportedTensorflow(version), true, version);
  for (const version of ['1.15.5', '2.8.4', '3.0.0', 'unknown']) assert.equal(supportedTensorflow(version), false, version);
});
