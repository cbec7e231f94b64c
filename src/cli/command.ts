// What every CLI command is, and the options several share.
import type { ParseArgsConfig } from 'node:util';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  help?: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Values, positionals: string[]): Promise<void>;
}

export const BACKEND_OPTION = { backend: { type: 'string' } } as const;
/** the Python the Keras engine runs on (default python3 on PATH) */
export const PYTHON_OPTION = { python: { type: 'string' } } as const;
