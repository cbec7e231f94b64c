// Downloads the gzipped IDX files from public mirrors into the cache: each file skipped when
// the cache already holds it verified, else tried at each mirror in turn, with retries and
// doubling backoff, until one try yields bytes with the SHA-256 in files.ts.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '../files/dir-swap';
import { attemptDownload } from './download-attempt';
import { DownloadCancelled, DownloadError } from './download-error';
import type { DownloadProgress } from './download-meter';
import { MNIST_FILES, sha256, type MnistFile } from './files';

export { DownloadCancelled, DownloadError } from './download-error';
export type { DownloadProgress } from './download-meter';

export const DEFAULT_MIRRORS = ['https://storage.googleapis.com/cvdf-datasets/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'];
const DEFAULT_RETRIES = 2;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_STALL_MS = 30_000;
/** 2 KiB/s on average after the first 30 s: the largest file then takes at most 80 minutes. */
const DEFAULT_MIN_RATE = 2048;
const DEFAULT_RATE_GRACE_MS = 30_000;
/** at most 10 progress events a second */
const DEFAULT_PROGRESS_MS = 100;
/** what DownloadedFile.mirror says for a file that was already cached */
export const CACHED = 'cache';

export interface DownloadOptions {
  cacheDir: string;
  /** base URLs; each file is fetched from `<mirror><name>.gz` */
  mirrors?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** tries per mirror after the first (default 2) */
  retries?: number;
  /** wait before the first retry; doubles for each further one (default 500) */
  backoffMs?: number;
  /** no bytes for this long and the try is stalled (default 30000) */
  stallTimeoutMs?: number;
  /** least time between two progress events of one file (default 100) */
  progressIntervalMs?: number;
  /** an average below this many bytes a second, after `rateGraceMs`, fails the try (default 2048 after 30000 ms) */
  minBytesPerSecond?: number;
  rateGraceMs?: number;
}

export interface DownloadedFile {
  name: string;
  /** where it came from, or 'cache' when it was skipped */
  mirror: string;
  sha256: string;
  /** unpacked size */
  bytes: number;
  /** already cached and verified: not downloaded again */
  skipped: boolean;
}

export interface DownloadResult {
  cacheDir: string;
  files: DownloadedFile[];
}

async function cachedHash(path: string, file: MnistFile): Promise<string | null> {
  if (!existsSync(path)) return null;
  const hash = sha256(new Uint8Array(await readFile(path)));
  return hash === file.sha256 ? hash : null;
}

async function backoff(ms: number, signal: AbortSignal | undefined): Promise<void> {
  // an abort ends the wait early; the caller then sees signal.aborted
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

async function downloadFile(file: MnistFile, options: DownloadOptions, mirrors: readonly string[]): Promise<DownloadedFile> {
  const target = join(options.cacheDir, file.name);
  const cached = await cachedHash(target, file);
  if (cached) return { name: file.name, mirror: CACHED, sha256: cached, bytes: file.bytes, skipped: true };
  const retries = Math.max(0, options.retries ?? DEFAULT_RETRIES);
  const settings = {
    signal: options.signal,
    onProgress: options.onProgress,
    stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_MS,
    progressIntervalMs: options.progressIntervalMs ?? DEFAULT_PROGRESS_MS,
    minBytesPerSecond: options.minBytesPerSecond ?? DEFAULT_MIN_RATE,
    rateGraceMs: options.rateGraceMs ?? DEFAULT_RATE_GRACE_MS,
  };
  const failures: DownloadError[] = [];
  const causes: string[] = [];
  for (const mirror of mirrors) {
    let wait = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (attempt > 1) {
        await backoff(wait, options.signal);
        wait *= 2;
      }
      if (options.signal?.aborted) throw new DownloadCancelled(file.name, mirror);
      try {
        const { sha256, bytes } = await attemptDownload(file, mirror, target, attempt, settings);
        return { name: file.name, mirror, sha256, bytes, skipped: false };
      } catch (error) {
        if (!(error instanceof DownloadError) || error instanceof DownloadCancelled) throw error;
        failures.push(error);
        causes.push(`\n  ${mirror} (try ${attempt}): ${error.problem}`);
        if (!error.retryable) break;
      }
    }
  }
  throw new DownloadError(file.name, mirrors.join(', '), `every mirror failed:${causes.join('')}`, {
    cause: failures.at(-1),
    attempts: failures,
    retryable: false,
  });
}

const PART_FILE = /^(.+)\.(\d+)\.[0-9a-f]+\.part$/;

/** Temp files of tries whose process died (killed, crashed, power cut) before it could remove them. */
async function sweepDeadParts(cacheDir: string): Promise<void> {
  const names = new Set(MNIST_FILES.map((file) => file.name));
  for (const entry of await readdir(cacheDir)) {
    const match = PART_FILE.exec(entry);
    if (match && names.has(match[1]) && !processAlive(Number(match[2]))) await rm(join(cacheDir, entry), { force: true });
  }
}

/** Smallest first: a mirror serving the wrong thing shows it within kilobytes, not megabytes. */
const DOWNLOAD_ORDER = [...MNIST_FILES].sort((a, b) => a.bytes - b.bytes);

/**
 * Downloads whatever of the four files the cache lacks, smallest first; `files` lists them in
 * that order. On any failure the cache keeps what it had, plus the files verified before it.
 */
export async function downloadMnist(options: DownloadOptions): Promise<DownloadResult> {
  const mirrors = options.mirrors?.length ? options.mirrors : DEFAULT_MIRRORS;
  await mkdir(options.cacheDir, { recursive: true });
  await sweepDeadParts(options.cacheDir);
  const files: DownloadedFile[] = [];
  for (const file of DOWNLOAD_ORDER) files.push(await downloadFile(file, options, mirrors));
  return { cacheDir: options.cacheDir, files };
}
