// Where the lab keeps what the user made: models, run history, settings, drawings.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** DIGIT_LAB_HOME, or the per-user data folder (XDG_DATA_HOME or ~/.local/share)/digit-lab. */
export function labHome(): string {
  if (process.env.DIGIT_LAB_HOME) return process.env.DIGIT_LAB_HOME;
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'digit-lab');
}
