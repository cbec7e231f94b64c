import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { DEFAULT_AUGMENTATION } from '../src/shared/augment';
import { presetSpec } from '../src/shared/presets';
import type { TrainEvent } from '../src/shared/training';
import type { FromWorker, ToWorker } from '../src/training/messages';

const OUT = new URL('../out/', import.meta.url);

before(() => {
  // `npm test` builds first; a test run on its own builds here.
  if (!existsSync(new URL('main/worker.js', OUT))) execFileSync('npx', ['electron-vite', 'build'], { stdio: 'ignore' });
});

test('electron-vite builds main, the training worker, a CommonJS preload and the renderer', () => {
  for (const file of ['main/index.js', 'main/worker.js', 'main/replica-worker.js', 'main/augment-worker.js', 'preload/index.cjs', 'renderer/index.html']) {
    assert.ok(existsSync(new URL(file, OUT)), `out/${file}`);
  }
  const preload = readFileSync(new URL('preload/index.cjs', OUT), 'utf8');
  assert.match(preload, /require\("electron"\)/);
  assert.match(preload, /exposeInMainWorld\("lab"/);
});

test('the built training worker trains in plain Node (as the desktop app runs it), its batches augmented by the built augment worker', async () => {
  const worker = new Worker(new URL('main/worker.js', OUT));
  try {
    const spec = presetSpec('mlp-256');
    spec.epochs = 1;
    spec.augmentation = DEFAULT_AUGMENTATION;
    const events: TrainEvent[] = [];
    const done = new Promise<TrainEvent>((resolve) => {
      worker.on('message', (message: FromWorker) => {
        events.push(message.event);
        if (message.event.type === 'done' || message.event.type === 'failed') resolve(message.event);
      });
    });
    worker.postMessage({ type: 'train', runId: 'built', request: { spec, limit: 3000, seed: 1 }, backend: 'wasm' } satisfies ToWorker);
    const last = await done;
    assert.equal(last.type, 'done', last.type === 'failed' ? last.message : '');
    assert.ok(events.some((e) => e.type === 'epochEnd'), 'an epoch ended');
    if (last.type === 'done') assert.ok(last.result.evaluation.accuracy > 0.7, `test accuracy ${last.result.evaluation.accuracy}`);
  } finally {
    await worker.terminate();
  }
});
