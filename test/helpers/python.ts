// Real Keras for the tests: the venv that scripts/python-env.sh builds from the machine's
// local wheel index (CI builds it and passes it as DIGIT_LAB_PYTHON).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const VENV_PYTHON = resolve(import.meta.dirname, '../../.venv/bin/python');

/** The Python with Keras, JAX and TensorFlow, or null where none was built. */
export function kerasPython(): string | null {
  const python = process.env.DIGIT_LAB_PYTHON || VENV_PYTHON;
  return existsSync(python) ? python : null;
}

/**
 * For `test(name, { skip: noKeras() }, …)`: false where Keras is here. Outside CI a missing
 * venv skips with how to build it; in CI it is an error, so that no Keras check is skipped
 * silently.
 */
export function noKeras(): string | false {
  if (kerasPython()) return false;
  if (process.env.CI) throw new Error('CI must build the Keras venv first: bash scripts/python-env.sh');
  return 'no Keras venv: run bash scripts/python-env.sh';
}

/** Runs a Python script with real Keras on the JAX backend; returns its stdout. */
export function runKeras(script: string, args: string[] = [], timeoutMs = 300_000): string {
  const python = kerasPython();
  if (!python) throw new Error('no Keras venv: run bash scripts/python-env.sh');
  return execFileSync(python, [script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, KERAS_BACKEND: 'jax', TF_CPP_MIN_LOG_LEVEL: '3', JAX_PLATFORMS: 'cpu' },
  });
}
