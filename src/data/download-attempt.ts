// One try at one file from one mirror. The gzipped body streams through gunzip and SHA-256
// into a temp file beside the cached one; only bytes that verify are renamed over the cached
// name, so a failed, truncated, corrupt or cancelled try leaves the cache as it was.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { DownloadCancelled, DownloadError } from './download-error';
import { DownloadMeter, type DownloadProgress } from './download-meter';
import type { MnistFile } from './files';

export interface AttemptOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  stallTimeoutMs: number;
  progressIntervalMs: number;
  /** below this average rate, once `rateGraceMs` have passed, the try is too slow */
  minBytesPerSecond: number;
  rateGraceMs: number;
}

/** A mirror may move a file within its own host (http to https too), never to another host. */
const MAX_REDIRECTS = 5;

class RedirectRefused extends Error {}

/** fetch, following redirects only while they stay on the mirror's host. */
async function fetchOnHost(url: URL, init: RequestInit): Promise<Response> {
  for (let hops = 0; ; hops++) {
    const response = await fetch(url, { ...init, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    const next = new URL(location, url);
    if (next.host !== url.host || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
      throw new RedirectRefused(`redirects to ${next.origin}, another host; only redirects within the mirror's own host are followed`);
    }
    if (hops === MAX_REDIRECTS) throw new RedirectRefused(`redirects more than ${MAX_REDIRECTS} times`);
    url = next;
  }
}

/** Statuses worth asking again for; any other 4xx will be the same next time. */
const RETRYABLE_STATUS = new Set([408, 425, 429]);
const FIRST_SERVER_ERROR = 500;

/** Where in the chain a try failed, which decides how the error reads. */
type Stage = 'network' | 'gunzip' | 'size' | 'disk';

export function fileUrl(mirror: string, file: MnistFile): URL | null {
  try {
    const url = new URL(`${file.name}.gz`, mirror.endsWith('/') ? mirror : `${mirror}/`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** Hashes what passes and refuses more bytes than the file has: a wrong or hostile gzip cannot fill the disk. */
class VerifyingTap extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly file: MnistFile) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.file.bytes) {
      callback(new Error(`unpacks to more than the ${this.file.bytes} bytes of ${this.file.name}: not this MNIST file`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  return cause && !message.includes(cause) ? `${message}: ${cause}` : message;
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** A timer re-armed by every sign of life; when it fires the try is stalled. */
function watchdog(ms: number, onStall: () => void) {
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  return {
    arm() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fired = true;
        onStall();
      }, ms);
    },
    stop: () => clearTimeout(timer),
    get fired() {
      return fired;
    },
  };
}

/** Resolves with the verified file's hash and size once it is in place at `target`. */
export async function attemptDownload(
  file: MnistFile,
  mirror: string,
  target: string,
  attempt: number,
  options: AttemptOptions,
): Promise<{ sha256: string; bytes: number }> {
  const fail = (problem: string, more: { cause?: unknown; retryable?: boolean } = {}) =>
    new DownloadError(file.name, mirror, problem, more);
  const url = fileUrl(mirror, file);
  if (!url) throw fail('the mirror is not an http:// or https:// address', { retryable: false });
  if (options.signal?.aborted) throw new DownloadCancelled(file.name, mirror);

  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const cancelled = () => options.signal?.aborted === true;
  const stall = watchdog(options.stallTimeoutMs, () => controller.abort());
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.part`;
  const started = performance.now();
  let tooSlow: string | null = null;
  try {
    stall.arm();
    let response: Response;
    try {
      // identity: the .gz bytes as stored, not compressed again on the way
      response = await fetchOnHost(url, { signal: controller.signal, headers: { 'accept-encoding': 'identity' } });
    } catch (error) {
      if (cancelled()) throw new DownloadCancelled(file.name, mirror);
      if (error instanceof RedirectRefused) throw fail(error.message, { retryable: false });
      if (stall.fired) throw fail(`no answer for ${seconds(options.stallTimeoutMs)}`);
      throw fail(`cannot connect (${reason(error)})`, { cause: error });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      throw fail(`HTTP ${status} ${response.statusText}`.trim(), {
        retryable: RETRYABLE_STATUS.has(status) || status >= FIRST_SERVER_ERROR,
      });
    }

    // A server that sends the .gz with Content-Encoding: gzip (a common storage misconfiguration)
    // has it unpacked by fetch already; its Content-Length then counts the packed bytes.
    const encoding = response.headers.get('content-encoding');
    const unpacked = encoding !== null && encoding !== 'identity';
    const length = Number(response.headers.get('content-length'));
    const total = !unpacked && Number.isSafeInteger(length) && length > 0 ? length : null;
    const meter = new DownloadMeter({
      file: file.name,
      mirror,
      attempt,
      total,
      intervalMs: options.progressIntervalMs,
      onProgress: options.onProgress,
      onData: () => {
        stall.arm();
        const elapsed = performance.now() - started;
        // A mirror that drips a few bytes a second never stalls, and would never finish either.
        if (elapsed > options.rateGraceMs && meter.bytes / (elapsed / 1000) < options.minBytesPerSecond) {
          tooSlow = `too slow: ${meter.bytes} bytes in ${seconds(Math.round(elapsed))}, under the ${options.minBytesPerSecond} bytes/s a download must keep up`;
          controller.abort();
        }
      },
    });
    const tap = new VerifyingTap(file);
    const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
    const gunzip = unpacked ? null : createGunzip();
    const out = createWriteStream(temp, { flags: 'wx' });
    // The first stream to fail says why; pipeline then tears the others down.
    // (a cast, not an annotation: it is set in callbacks, so it must not narrow to null here)
    let first = null as { stage: Stage; error: Error } | null;
    const watch = (stream: NodeJS.EventEmitter, stage: Stage) =>
      stream.once('error', (error: Error) => (first ??= { stage, error }));
    watch(body, 'network');
    if (gunzip) watch(gunzip, 'gunzip');
    watch(tap, 'size');
    watch(out, 'disk');
    try {
      await pipeline(gunzip ? [body, meter, gunzip, tap, out] : [body, meter, tap, out], { signal: controller.signal });
    } catch (error) {
      if (cancelled()) throw new DownloadCancelled(file.name, mirror);
      if (stall.fired) throw fail(`stalled: no data for ${seconds(options.stallTimeoutMs)} after ${meter.bytes} bytes`);
      if (tooSlow) throw fail(tooSlow);
      const { stage, error: cause } = first ?? { stage: 'network', error: error as Error };
      switch (stage) {
        case 'gunzip':
          throw (cause as NodeJS.ErrnoException).code === 'Z_BUF_ERROR'
            ? fail(`truncated gzip: the data ends early, after ${meter.bytes} bytes`, { cause })
            : fail(`not a valid gzip file (${reason(cause)})`, { cause });
        case 'size':
          throw fail(cause.message, { cause, retryable: false });
        case 'disk':
          throw fail(`cannot write ${temp} (${reason(cause)})`, { cause, retryable: false });
        default:
          throw fail(`the connection broke after ${meter.bytes} bytes (${reason(cause)})`, { cause });
      }
    }
    stall.stop();
    meter.report();
    if (total !== null && meter.bytes !== total) throw fail(`truncated: got ${meter.bytes} of ${total} bytes`);
    const actual = tap.digest();
    if (actual !== file.sha256) {
      throw fail(`checksum mismatch: SHA-256 of the ${tap.size} unpacked bytes expected ${file.sha256}, got ${actual}`, {
        retryable: false,
      });
    }
    try {
      await rename(temp, target);
    } catch (error) {
      throw fail(`cannot store it as ${target} (${reason(error)})`, { cause: error, retryable: false });
    }
    return { sha256: actual, bytes: tap.size };
  } finally {
    stall.stop();
    options.signal?.removeEventListener('abort', onAbort);
    await rm(temp, { force: true });
  }
}
