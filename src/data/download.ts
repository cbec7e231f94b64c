// Downloads the gzipped IDX files from public mirrors into the cache.
// A file is streamed to a temp name, gunzipped, SHA-256-checked and only then renamed
// over the cached name: an interrupted, truncated, corrupt or wrong download never
// replaces or poisons what is cached.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { MNIST_FILES, sha256, type MnistFile } from './files';
import type { DownloadProgressEvent } from '../shared/contract';

export const DEFAULT_MIRRORS = ['https://storage.googleapis.com/cvdf-datasets/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'];
const DEFAULT_RETRIES = 2;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_STALL_MS = 30_000;
const DEFAULT_PROGRESS_MS = 100;

export type DownloadProgress = DownloadProgressEvent;

export interface DownloadOptions {
  cacheDir: string;
  mirrors?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** tries per mirror after the first, with doubling backoff */
  retries?: number;
  backoffMs?: number;
  /** no bytes for this long and the attempt is stalled */
  stallTimeoutMs?: number;
  progressIntervalMs?: number;
}

export interface DownloadedFile {
  name: string;
  mirror: string;
  sha256: string;
  bytes: number;
  /** already cached and verified: not downloaded again */
  skipped: boolean;
}

export interface DownloadResult {
  cacheDir: string;
  files: DownloadedFile[];
}

export class DownloadError extends Error {
  constructor(
    readonly file: string,
    readonly mirror: string,
    problem: string,
  ) {
    super(`${file} from ${mirror}: ${problem}`);
    this.name = 'DownloadError';
  }
}

export class DownloadCancelled extends Error {
  constructor(file: string) {
    super(`download cancelled while fetching ${file}; the cache is unchanged`);
    this.name = 'DownloadCancelled';
  }
}

function mirrorUrl(mirror: string, file: MnistFile): string {
  return `${mirror.endsWith('/') ? mirror : mirror + '/'}${file.name}.gz`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

async function cachedAndVerified(path: string, file: MnistFile): Promise<string | null> {
  if (!existsSync(path)) return null;
  const hash = sha256(new Uint8Array(await readFile(path)));
  return hash === file.sha256 ? hash : null;
}

/** One attempt: fetch, gunzip into a temp file, verify, rename. */
async function attempt(file: MnistFile, mirror: string, target: string, tryNumber: number, options: DownloadOptions): Promise<DownloadedFile> {
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_MS;
  const progressMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_MS;
  const url = mirrorUrl(mirror, file);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let stalled = false;
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallMs);
  };
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  const fail = (problem: string) => new DownloadError(file.name, mirror, problem);
  try {
    armStall();
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (error) {
      throw stalled ? fail(`no answer for ${stallMs / 1000} s`) : fail(`cannot connect (${(error as Error).cause ?? (error as Error).message})`);
    }
    if (!response.ok || !response.body) throw fail(`HTTP ${response.status} ${response.statusText}`.trim());
    const totalHeader = Number(response.headers.get('content-length'));
    const total = Number.isFinite(totalHeader) && totalHeader > 0 ? totalHeader : null;
    const started = performance.now();
    let bytes = 0;
    let lastProgress = 0;
    const report = () => {
      const seconds = (performance.now() - started) / 1000;
      const bytesPerSecond = seconds > 0 ? bytes / seconds : 0;
      options.onProgress?.({
        file: file.name,
        mirror,
        bytes,
        total,
        bytesPerSecond,
        etaSeconds: total && bytesPerSecond > 0 ? (total - bytes) / bytesPerSecond : null,
        attempt: tryNumber,
      });
    };
    const hash = createHash('sha256');
    let size = 0;
    const gunzip = createGunzip();
    const out = createWriteStream(temp);
    const written = new Promise<void>((resolve, reject) => {
      gunzip.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      gunzip.on('error', (error) => reject(fail(`not a valid gzip file (${error.message})`)));
      out.on('error', (error) => reject(fail(`cannot write the cache (${error.message})`)));
      out.on('finish', resolve);
      gunzip.pipe(out);
    });
    written.catch(() => {}); // awaited below; this keeps an early rejection from going unhandled
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        armStall();
        bytes += chunk.length;
        if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
        const now = performance.now();
        if (now - lastProgress >= progressMs) {
          lastProgress = now;
          report();
        }
      }
    } catch (error) {
      gunzip.destroy();
      out.destroy();
      if (options.signal?.aborted) throw new DownloadCancelled(file.name);
      throw stalled ? fail(`stalled: no data for ${stallMs / 1000} s after ${bytes} bytes`) : fail(`the connection broke after ${bytes} bytes (${(error as Error).message})`);
    }
    clearTimeout(stallTimer);
    if (total !== null && bytes < total) throw fail(`truncated: got ${bytes} of ${total} bytes`);
    gunzip.end();
    await written;
    report();
    const actual = hash.digest('hex');
    if (actual !== file.sha256) {
      throw fail(`checksum mismatch: SHA-256 of the unpacked ${size} bytes is ${actual}, expected ${file.sha256}`);
    }
    await rename(temp, target);
    return { name: file.name, mirror, sha256: actual, bytes: size, skipped: false };
  } catch (error) {
    if (options.signal?.aborted && !(error instanceof DownloadCancelled)) throw new DownloadCancelled(file.name);
    throw error;
  } finally {
    clearTimeout(stallTimer);
    options.signal?.removeEventListener('abort', onAbort);
    await rm(temp, { force: true });
  }
}

async function downloadFile(file: MnistFile, options: DownloadOptions): Promise<DownloadedFile> {
  const target = join(options.cacheDir, file.name);
  const cached = await cachedAndVerified(target, file);
  if (cached) return { name: file.name, mirror: 'cache', sha256: cached, bytes: file.bytes, skipped: true };
  const mirrors = options.mirrors?.length ? options.mirrors : DEFAULT_MIRRORS;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const causes: string[] = [];
  for (const mirror of mirrors) {
    let backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    for (let tryNumber = 1; tryNumber <= retries + 1; tryNumber++) {
      if (options.signal?.aborted) throw new DownloadCancelled(file.name);
      try {
        return await attempt(file, mirror, target, tryNumber, options);
      } catch (error) {
        if (error instanceof DownloadCancelled) throw error;
        causes.push((error as Error).message);
        // A missing file will not appear on a retry: go to the next mirror.
        if (/HTTP 404/.test((error as Error).message)) break;
        if (tryNumber <= retries) {
          await sleep(backoff, options.signal);
          backoff *= 2;
        }
      }
    }
  }
  throw new DownloadError(file.name, mirrors.join(', '), `every mirror failed:\n  ${causes.join('\n  ')}`);
}

/** Downloads whatever of the four files the cache lacks; the cache keeps what it had on any failure. */
export async function downloadMnist(options: DownloadOptions): Promise<DownloadResult> {
  await mkdir(options.cacheDir, { recursive: true });
  const files: DownloadedFile[] = [];
  for (const file of MNIST_FILES) files.push(await downloadFile(file, options));
  return { cacheDir: options.cacheDir, files };
}
