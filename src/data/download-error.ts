// Why a download failed, in words a user can act on: which file, from where, and what went wrong.

export class DownloadError extends Error {
  /** false when asking the same mirror again would get the same answer (HTTP 404, the wrong file) */
  readonly retryable: boolean;
  /** every failed attempt, when this error stands for all of them */
  readonly attempts: readonly DownloadError[];

  constructor(
    readonly file: string,
    readonly mirror: string,
    /** the cause in words: "HTTP 404 Not Found", "stalled: no data for 30 s after 1000 bytes", ... */
    readonly problem: string,
    options: { cause?: unknown; retryable?: boolean; attempts?: readonly DownloadError[] } = {},
  ) {
    super(`${file} from ${mirror}: ${problem}`, { cause: options.cause });
    this.name = 'DownloadError';
    this.retryable = options.retryable ?? true;
    this.attempts = options.attempts ?? [];
  }
}

/** The caller's AbortSignal fired. Files finished before it stay cached; nothing half-written is kept. */
export class DownloadCancelled extends DownloadError {
  constructor(file: string, mirror: string) {
    super(file, mirror, 'download cancelled; files already verified stay in the cache, nothing half-written was kept', {
      retryable: false,
    });
    this.name = 'DownloadCancelled';
  }
}
