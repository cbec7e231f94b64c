import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunHistory, failedRecord } from '../src/files/runs';
import { presetSpec } from '../src/shared/presets';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-runs-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('runs are kept, listed, replaced by id and removed', () => {
  const history = new RunHistory(join(dir, 'a'));
  history.add(failedRecord('r1', presetSpec('mlp-16-16'), 'out of memory'));
  history.add({ ...failedRecord('r2', presetSpec('cnn-16-36'), 'x'), status: 'stopped', message: undefined });
  history.add(failedRecord('r1', presetSpec('mlp-16-16'), 'again'));
  const again = new RunHistory(join(dir, 'a'));
  assert.deepEqual(again.list().map((r) => [r.runId, r.status]), [['r2', 'stopped'], ['r1', 'failed']]);
  assert.equal(again.get('r1')?.message, 'again');
  assert.equal(again.remove('r2'), true);
  assert.equal(again.remove('nope'), false);
  assert.deepEqual(new RunHistory(join(dir, 'a')).list().map((r) => r.runId), ['r1']);
});

test('a kill in the middle of writing never leaves a broken history', async () => {
  const folder = join(dir, 'killed');
  const writer = `
    import { RunHistory, failedRecord } from ${JSON.stringify(new URL('../src/files/runs.ts', import.meta.url).pathname)};
    import { presetSpec } from ${JSON.stringify(new URL('../src/shared/presets.ts', import.meta.url).pathname)};
    const history = new RunHistory(${JSON.stringify(folder)});
    for (let i = 0; ; i++) history.add(failedRecord('run-' + i, presetSpec('cnn-16-36'), 'x'.repeat(20000)));
  `;
  for (let round = 0; round < 5; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer], { stdio: 'ignore' });
    // let it write a while, then kill it at a moment that varies by round
    const started = Date.now();
    while (!existsSync(join(folder, 'runs.json')) && Date.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100 + round * 97));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const text = await readFile(join(folder, 'runs.json'), 'utf8');
    const runs = JSON.parse(text).runs as { runId: string }[];
    assert.ok(Array.isArray(runs), `round ${round}: the history still parses`);
    assert.ok(new RunHistory(folder).list().length === runs.length);
  }
  assert.ok(new RunHistory(folder).list().length > 0, 'the writer got some runs in');
  const names = await readdir(folder);
  assert.ok(names.includes('runs.json'));
});

test('a damaged history file is kept aside, not lost, and the lab starts with an empty history', async () => {
  const folder = join(dir, 'damaged');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(folder);
  await writeFile(join(folder, 'runs.json'), '{"runs": [ {"runId": "r1", "sta');
  const history = new RunHistory(folder);
  assert.deepEqual(history.list(), []);
  assert.match(history.damaged ?? '', /runs\.json could not be read .*; it was kept as .*runs\.json\.damaged-\d+/);
  const aside = (await readdir(folder)).find((name) => name.startsWith('runs.json.damaged-'));
  assert.ok(aside);
  assert.equal(await readFile(join(folder, aside), 'utf8'), '{"runs": [ {"runId": "r1", "sta');
  history.add(failedRecord('r2', presetSpec('mlp-16-16'), 'x'));
  assert.equal(new RunHistory(folder).list().length, 1);
});
