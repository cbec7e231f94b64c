// Measures, with real Keras, the test accuracy of the presets the seeds never ran, trained with
// the seeds' settings, and records it in src/shared/keras-reference.ts for `digit-lab reproduce`.
//   DIGIT_LAB_PYTHON=.venv/bin/python node --import tsx scripts/keras-reference.ts [preset…]
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { embeddedDir } from '../src/data/mnist';
import { writeFileAtomic } from '../src/files/atomic';
import { PRESETS } from '../src/shared/presets';
import { KERAS_REFERENCE, type KerasReference } from '../src/shared/keras-reference';

const ROOT = resolve(import.meta.dirname, '..');
const SEED = 1;
const COMMAND = 'DIGIT_LAB_PYTHON=.venv/bin/python node --import tsx scripts/keras-reference.ts [preset…]';
const ids = process.argv.slice(2);
const presets = ids.length ? ids.map((id) => PRESETS.find((p) => p.id === id) ?? fail(`unknown preset "${id}"`)) : PRESETS.filter((p) => p.seedAccuracy === undefined);

function fail(message: string): never {
  throw new Error(message);
}

const python = process.env.DIGIT_LAB_PYTHON || join(ROOT, '.venv', 'bin', 'python');
const output = execFileSync(python, [join(ROOT, 'scripts', 'keras_reference.py'), embeddedDir(), String(SEED)], {
  input: JSON.stringify(presets.map((p) => ({ id: p.id, spec: p.spec }))),
  encoding: 'utf8',
  stdio: ['pipe', 'pipe', 'inherit'],
  maxBuffer: 16 * 1024 * 1024,
  env: { ...process.env, KERAS_BACKEND: 'jax', TF_CPP_MIN_LOG_LEVEL: '3', JAX_PLATFORMS: 'cpu' },
});
const measured = JSON.parse(output) as { keras: string; backend: string; seed: number; results: Array<{ id: string; accuracy: number; seconds: number }> };
const measuredOn = new Date().toISOString().slice(0, 10);
const reference: Record<string, KerasReference> = { ...KERAS_REFERENCE };
for (const r of measured.results) reference[r.id] = { accuracy: Number(r.accuracy.toFixed(4)), keras: measured.keras, backend: measured.backend, seed: measured.seed, measuredOn };
await writeFileAtomic(
  join(ROOT, 'src', 'shared', 'keras-reference.ts'),
  `// Written by scripts/keras-reference.ts: the test accuracy, in real Keras, of the presets the seeds
// never ran, trained with the seeds' settings and Keras 2.2's defaults (resources/keras_lab.py).
export interface KerasReference {
  accuracy: number;
  keras: string;
  backend: string;
  seed: number;
  measuredOn: string;
}

export const KERAS_REFERENCE_COMMAND = '${COMMAND}';

/** preset id → its accuracy in Keras */
export const KERAS_REFERENCE: Record<string, KerasReference> = {
${Object.entries(reference).map(([id, r]) => `  '${id}': { accuracy: ${r.accuracy}, keras: '${r.keras}', backend: '${r.backend}', seed: ${r.seed}, measuredOn: '${r.measuredOn}' },`).join('\n')}
};
`,
);
for (const r of measured.results) process.stdout.write(`${r.id}: ${(r.accuracy * 100).toFixed(2)}% in ${r.seconds} s\n`);
