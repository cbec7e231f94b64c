// On start, the lab sweeps what processes killed mid-write left in its own folders (temp files
// and folders older than this process, or named for a process that is gone), and lists a saved
// model that never got its run record as a recovered run instead of leaving it invisible.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive, recoverFolder } from '../files/dir-swap';
import { MODEL_JSON } from '../files/model-json';
import { MY_DIGITS_DIR, MyDigitsStore } from '../files/my-digits';
import { MODELS_DIR, RunStore } from '../files/run-store';
import type { StoreFactory } from '../files/store';

/** writeFileAtomic's temp names and replaceFolder's: <name>.<pid>.<8 hex>.tmp|old */
const PID_TEMP = /^(.+)\.(\d+)\.[0-9a-f]{8}\.(tmp|old)$/;
/** Temp names with no process id in them: conf's store files, import staging folders. */
const UNOWNED_TEMP = [/^(runs|settings)\.json\.tmp-/, /^import-[A-Za-z0-9]{6}$/];

const names = (dir: string) => readdir(dir).catch(() => [] as string[]);
const started = Date.now() - process.uptime() * 1000;

async function olderThanProcess(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info !== null && info.mtimeMs < started;
}

/** Temp files of dead processes in `dir`; folders swapped by replaceFolder are put back or removed by recoverFolder. */
async function sweepDir(dir: string): Promise<void> {
  for (const name of await names(dir)) {
    const match = PID_TEMP.exec(name);
    if (match && !processAlive(Number(match[2]))) {
      // Gone already when recoverFolder swept it with another leftover of the same folder.
      const info = await stat(join(dir, name)).catch(() => null);
      if (info?.isDirectory() || (info && match[3] === 'old')) await recoverFolder(join(dir, match[1]));
      else if (info) await rm(join(dir, name), { force: true });
    } else if (UNOWNED_TEMP.some((pattern) => pattern.test(name)) && (await olderThanProcess(join(dir, name)))) {
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Drawings whose digit never made it into the index (the kill came between the two writes).
 * The index is only read here: a damaged one is left for the store to set aside and report.
 */
async function sweepOrphanDrawings(home: string): Promise<void> {
  const store = new MyDigitsStore(home);
  const index = (await readFile(store.indexPath, 'utf8')
    .then((text) => JSON.parse(text), (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? { digits: [] } : null))
    .catch(() => null)) as { digits?: { id?: unknown }[] } | null;
  if (!Array.isArray(index?.digits)) return;
  const kept = new Set(index.digits.map((digit) => `${String(digit?.id)}.png`));
  for (const name of await names(store.dir)) {
    const path = join(store.dir, name);
    if (name.endsWith('.png') && !kept.has(name) && (await olderThanProcess(path))) await rm(path, { force: true });
  }
}

/** Sweeps the lab's folders, then records every saved model that has no run record as a recovered run. */
export async function tidyLabHome(home: string, createStore: StoreFactory): Promise<void> {
  // Tidying is a courtesy: a folder it cannot read or remove must not keep the lab from starting.
  await tidy(home, createStore).catch(() => undefined);
}

async function tidy(home: string, createStore: StoreFactory): Promise<void> {
  const models = join(home, MODELS_DIR);
  await sweepDir(home);
  await sweepDir(join(home, MY_DIGITS_DIR));
  await sweepOrphanDrawings(home);
  await sweepDir(models);
  const runs = new RunStore(home, createStore);
  const known = new Set(runs.list().flatMap((run) => [run.runId, ...(run.modelDir ? [run.modelDir] : [])]));
  for (const name of await names(models)) {
    const dir = join(models, name);
    // A folder newer than this process may be a run another lab process is about to record.
    const settled = await olderThanProcess(dir);
    await sweepDir(dir);
    if (known.has(name) || known.has(dir) || PID_TEMP.test(name) || !settled) continue;
    if (!(await stat(join(dir, MODEL_JSON)).catch(() => null))?.isFile()) continue;
    await runs.recover(name, dir);
  }
}
