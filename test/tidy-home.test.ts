// What a kill -9 leaves in the lab's folders is swept at the next start, and a saved model whose
// run was never recorded is listed as a recovered run; what belongs to a live process stays.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../src/models/build';
import { presetSpec } from '../src/shared/presets';
import { saveModel } from '../src/files/model-files';
import { createLabService } from '../src/lab/service';
import { RECOVERED } from '../src/files/run-store';
import type { RunSummary } from '../src/shared/contract';

let home: string;

before(async () => {
  await tf.setBackend('cpu');
  home = await mkdtemp(join(tmpdir(), 'digit-lab-tidy-'));
});

after(async () => {
  await rm(home, { recursive: true, force: true });
});

/** The id of a process that has ended. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

async function old(path: string): Promise<void> {
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(path, hourAgo, hourAgo);
}

test('the next start sweeps temp files of dead processes and lists a model with no run record as recovered', async () => {
  const dead = deadPid();
  const models = join(home, 'models');
  const digits = join(home, 'my-digits');
  await mkdir(digits, { recursive: true });
  const spec = presetSpec('mlp-16-16');
  const model = buildModel(spec, { seed: 1 });
  await saveModel(model, join(models, 'orphan-run'), { format: 1, name: 'mlp-16-16', createdAt: '2026-11-30T10:00:00.000Z', source: 'trained', spec });
  await saveModel(model, join(models, 'kept'), { format: 1, name: 'kept', createdAt: '2026-11-30T10:00:00.000Z' });
  model.dispose();
  const folders = [
    join(home, 'import-AbC123'),
    join(models, `orphan-run.${dead}.89abcdef.tmp`),
    join(models, `kept.${dead}.01234567.old`),
    join(models, `kept.${dead}.22222222.tmp`),
  ];
  const files = [
    join(home, `runs.json.tmp-${Date.now()}abcdef`),
    join(digits, `index.json.${dead}.0123abcd.tmp`),
    join(digits, '6f1c1e9e-0000-4000-8000-000000000000.png'),
    join(models, 'kept', `report.json.${dead}.fedcba98.tmp`),
  ];
  for (const path of folders) await mkdir(path);
  for (const path of files) await writeFile(path, 'left by a killed process');
  const litter = [...folders, ...files];
  const live = join(models, `kept.${process.pid}.76543210.tmp`);
  await mkdir(live);
  const fresh = join(home, 'import-Fresh1');
  await mkdir(fresh);
  for (const path of [...litter, join(models, 'orphan-run'), join(models, 'kept')]) await old(path);

  const service = await createLabService({ home });
  try {
    for (const path of litter) assert.equal((await readdir(join(path, '..'))).includes(path.split('/').at(-1)!), false, `${path} was swept`);
    assert.deepEqual((await readdir(models)).sort(), ['kept', `kept.${process.pid}.76543210.tmp`, 'orphan-run'], 'a live process keeps its temp folder');
    assert.ok((await readdir(home)).includes('import-Fresh1'), 'a staging folder newer than this process is not touched');
    const runs = (await service.call('runs.list', null)) as RunSummary[];
    const recovered = runs.find((run) => run.runId === 'orphan-run');
    assert.ok(recovered, 'the model with no run record is listed');
    assert.equal(recovered.message, RECOVERED);
    assert.equal(recovered.hasModel, true);
    assert.equal(recovered.spec.layers.length, spec.layers.length, 'its layers come from the model metadata');
    assert.ok(runs.some((run) => run.runId === 'kept'));
    const reading = (await service.call('predict', { model: 'orphan-run', input: new Array(784).fill(0) })) as { probabilities: number[] };
    assert.equal(reading.probabilities.length, 10, 'a recovered run reads digits like any other');
  } finally {
    await service.close();
    await rm(live, { recursive: true });
    await rm(fresh, { recursive: true });
  }
});

test('the sweep leaves a damaged My digits index for the store to set aside and report', async () => {
  const damagedHome = await mkdtemp(join(tmpdir(), 'digit-lab-tidy-index-'));
  try {
    await mkdir(join(damagedHome, 'my-digits'), { recursive: true });
    await writeFile(join(damagedHome, 'my-digits', 'index.json'), '{"format": 1, "digits": [');
    const service = await createLabService({ home: damagedHome });
    try {
      const listed = (await service.call('digits.list', null)) as { digits: unknown[]; notice?: string };
      assert.deepEqual(listed.digits, []);
      assert.match(listed.notice ?? '', /index\.json could not be read .*; it was kept as .*index\.json\.damaged-\d+/);
    } finally {
      await service.close();
    }
  } finally {
    await rm(damagedHome, { recursive: true, force: true });
  }
});
