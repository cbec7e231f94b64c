// One JSON document with --json, text otherwise.
import { MAX_WORKERS } from '../shared/limits';
import type { WorkersChoice } from '../shared/training';
import { UsageError } from './errors';

export function print(json: boolean | undefined, document: unknown, text: () => string): void {
  process.stdout.write(json ? JSON.stringify(document, null, 2) + '\n' : text() + '\n');
}

/** A whole number from a flag, or a clear error naming the flag. */
export function intFlag(value: unknown, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** --workers: auto, or a whole number of training threads from 1 to MAX_WORKERS. */
export function workersFlag(value: unknown): WorkersChoice {
  if (value === undefined || value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new UsageError(`--workers must be auto or a whole number from 1 to ${MAX_WORKERS}, got "${value}"`);
  return n;
}

export function numberFlag(value: unknown, flag: string, check: (n: number) => boolean, range: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`--${flag} must be ${range}, got "${value}"`);
  return n;
}

export function choiceFlag<T extends string>(value: unknown, flag: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) throw new Error(`--${flag} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}
