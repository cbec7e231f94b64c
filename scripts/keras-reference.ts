// Measures, with real Keras, the test accuracy of presets trained with the seeds' settings, once per
// seed, and records it in src/shared/keras-reference.ts for `digit-lab reproduce`: by default the
// presets the seeds never ran; a seed preset named here gets Keras's spread beside its seed's run.
//   DIGIT_LAB_PYTHON=.venv/bin/python node --import tsx scripts/keras-reference.ts [--seeds 1,2,3] [preset…]
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { embeddedDir } from '../src/data/mnist';
import { writeFileAtomic } from '../src/files/atomic';
import { PRESETS } from '../src/shared/presets';
import { KERAS_REFERENCE, type KerasReference } from '../src/shared/keras-reference';

const ROOT = resolve(import.meta.dirname, '..');
const COMMAND = 'DIGIT_LAB_PYTHON=.venv/bin/python node --import tsx scripts/keras-reference.ts [--seeds 1,2,3] [preset…]';
const { values, positionals: ids } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3' } }, allowPositionals: true });
const seeds = values.seeds.split(',').map((s) => Number(s));
if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0)) fail(`--seeds must be whole numbers separated by commas, got "${values.seeds}"`);
const presets = ids.length ? ids.map((id) => PRESETS.find((p) => p.id === id) ?? fail(`unknown preset "${id}"`)) : PRESETS.filter((p) => p.seedAccuracy === undefined);

function fail(message: string): never {
  throw new Error(message);
}

const python = process.env.DIGIT_LAB_PYTHON || join(ROOT, '.venv', 'bin', 'python');
const output = execFileSync(python, [join(ROOT, 'scripts', 'keras_reference.py'), embeddedDir(), seeds.join(',')], {
  input: JSON.stringify(presets.map((p) => ({ id: p.id, spec: p.spec }))),
  encoding: 'utf8',
  stdio: ['pipe', 'pipe', 'inherit'],
  maxBuffer: 16 * 1024 * 1024,
  env: { ...process.env, KERAS_BACKEND: 'jax', TF_CPP_MIN_LOG_LEVEL: '3', JAX_PLATFORMS: 'cpu' },
});
const measured = JSON.parse(output) as { keras: string; backend: string; results: Array<{ id: string; seed: number; accuracy: number; seconds: number }> };
const measuredOn = new Date().toISOString().slice(0, 10);
const reference: Record<string, KerasReference> = { ...KERAS_REFERENCE };
for (const preset of presets) {
  const runs = measured.results.filter((r) => r.id === preset.id);
  const accuracies = runs.map((r) => Number(r.accuracy.toFixed(4)));
  const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
  reference[preset.id] = { accuracy: Number(mean.toFixed(4)), accuracies, seeds: runs.map((r) => r.seed), keras: measured.keras, backend: measured.backend, measuredOn };
}
const list = (xs: number[]) => `[${xs.join(', ')}]`;
await writeFileAtomic(
  join(ROOT, 'src', 'shared', 'keras-reference.ts'),
  `// Written by scripts/keras-reference.ts: the test accuracy, in real Keras, of presets trained with the
// seeds' settings and Keras 2.2's defaults (resources/keras_lab.py), once per seed (keras.utils.set_random_seed).
// A preset the seeds never ran takes the mean as its reference; for a seed preset, the runs show how
// far one run falls from another beside the seed's single printed accuracy.
export interface KerasReference {
  /** the mean test accuracy over the seeds */
  accuracy: number;
  /** each seed's test accuracy, in the order of \`seeds\` */
  accuracies: number[];
  seeds: number[];
  keras: string;
  backend: string;
  measuredOn: string;
}

export const KERAS_REFERENCE_COMMAND = '${COMMAND}';

/** preset id → its accuracy in Keras */
export const KERAS_REFERENCE: Record<string, KerasReference> = {
${Object.entries(reference)
  .map(([id, r]) => `  '${id}': { accuracy: ${r.accuracy}, accuracies: ${list(r.accuracies)}, seeds: ${list(r.seeds)}, keras: '${r.keras}', backend: '${r.backend}', measuredOn: '${r.measuredOn}' },`)
  .join('\n')}
};
`,
);
for (const r of measured.results) process.stdout.write(`${r.id} seed ${r.seed}: ${(r.accuracy * 100).toFixed(2)}% in ${r.seconds} s\n`);
