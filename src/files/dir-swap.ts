// Replacing a whole folder so that a crash or kill never leaves half of one: the new folder
// is filled under a temp name beside the target, then swapped in by rename. Node has no
// atomic exchange of two folders, so the old one is first renamed to a backup name; a
// process killed between the two renames leaves that backup, and recoverFolder puts it back.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP = 'tmp';
const BACKUP = 'old';

function sibling(target: string, kind: string): string {
  return `${target}.${process.pid}.${randomBytes(4).toString('hex')}.${kind}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a process of that id runs (someone else's counts too). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Cleans up after saves into `target` by processes that died mid-way: a backup is renamed
 * back if the target is missing, other leftovers are removed. Saves still running are left alone.
 */
export async function recoverFolder(target: string): Promise<void> {
  const parent = dirname(target);
  const leftover = new RegExp(`^${escapeRegExp(basename(target))}\\.(\\d+)\\.[0-9a-f]{8}\\.(${TEMP}|${BACKUP})$`);
  const names = await readdir(parent).catch(() => [] as string[]);
  let present = await exists(target);
  // Backups first, so a missing target gets its old folder back before temps are removed.
  for (const kind of [BACKUP, TEMP]) {
    for (const name of names) {
      const match = leftover.exec(name);
      if (!match || match[2] !== kind || processAlive(Number(match[1]))) continue;
      const path = join(parent, name);
      if (kind === BACKUP && !present) {
        await rename(path, target);
        present = true;
      } else {
        await rm(path, { recursive: true, force: true });
      }
    }
  }
}

/** Writes a file and flushes it to disk, so the rename that publishes it never publishes an empty file after a power cut. */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Fills a fresh folder with `fill`, then puts it at `target` in place of whatever folder was there. */
export async function replaceFolder(target: string, fill: (folder: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await recoverFolder(target);
  const temp = sibling(target, TEMP);
  try {
    await mkdir(temp);
    await fill(temp);
    const backup = sibling(target, BACKUP);
    const hadOld = await rename(target, backup).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    try {
      await rename(temp, target);
    } catch (error) {
      if (hadOld) await rename(backup, target);
      throw error;
    }
    if (hadOld) await rm(backup, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
