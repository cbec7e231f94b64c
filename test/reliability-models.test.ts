// Model files as a fuzzer would make them: 150+ mutations of real saved models, each loaded in a
// child process under a deadline. Every one loads or is refused with a ModelFileError naming the
// model.json, quickly and in bounded memory; none hangs, crashes or gives an answer it should not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../src/models/build';
import { presetSpec } from '../src/shared/presets';
import { saveModel } from '../src/files/model-files';
import { runHelper } from './helpers/child';
import { mutations, writeMutations, type BaseModel, type Mutation } from './helpers/model-mutations';
import { cases } from './helpers/reliability';

let root: string;
let all: Mutation[];

async function saved(name: string, model: tf.LayersModel): Promise<BaseModel> {
  const dir = join(root, 'bases', name);
  await saveModel(model, dir, { format: 1, name, createdAt: new Date().toISOString() });
  model.dispose();
  return { name, json: JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')), weights: new Uint8Array(await readFile(join(dir, 'weights.bin'))) };
}

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'digit-lab-bad-models-'));
  const input = tf.input({ shape: [784], name: 'pixels' });
  const hidden = tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden' }).apply(input) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: 'softmax', name: 'scores' }).apply(hidden) as tf.SymbolicTensor;
  const functional = await saved('fn', tf.model({ inputs: input, outputs: output, name: 'functional' }));
  const sequential = [await saved('mlp', buildModel(presetSpec('mlp-16-16'), { seed: 1 })), await saved('cnn', buildModel(presetSpec('cnn-16-16'), { seed: 1 }))];
  all = mutations({ sequential, functional }, cases(0, 100));
  await writeMutations(join(root, 'cases'), all);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('150+ mutated model files: each loads or is refused by name, in well under a second, under 500 MB; none hangs or crashes', async () => {
  assert.ok(all.length >= 150, `${all.length} mutations`);
  const report = JSON.parse(await runHelper('./load-models-child.ts', all.map((m) => join(root, 'cases', m.name)), cases(120_000, 900_000)));
  const outcomes = report.outcomes as { dir: string; ms: number; loaded?: boolean; refused?: string; crashed?: string }[];
  assert.equal(outcomes.length, all.length);
  outcomes.forEach((outcome, i) => {
    const { name, expect, says } = all[i];
    assert.equal(outcome.crashed, undefined, `${name} crashed the loader`);
    if (expect === 'refuse') assert.ok(outcome.refused, `${name} loaded, but must be refused`);
    if (expect === 'load') assert.ok(outcome.loaded, `${name} was refused: ${outcome.refused}`);
    if (outcome.refused) {
      assert.ok(outcome.refused.startsWith(join(outcome.dir, 'model.json')), `${name}: the refusal names the model.json: ${outcome.refused}`);
      assert.doesNotMatch(outcome.refused, /Maximum call stack|out of memory|\n\s+at /, `${name}: ${outcome.refused}`);
    }
    if (says) assert.match(outcome.refused ?? '', says, name);
    assert.ok(outcome.ms < 1000, `${name} took ${Math.round(outcome.ms)} ms`);
  });
  assert.ok(report.peakRssMb < 500, `peak RSS ${report.peakRssMb} MB`);
});
