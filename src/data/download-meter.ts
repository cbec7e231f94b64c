// Counts the bytes of one download as they pass, and reports progress at most once per interval.
import { Transform, type TransformCallback } from 'node:stream';
import type { DownloadProgressEvent } from '../shared/contract';

/** One progress event; the contract's type, so the renderer gets exactly what the meter sends. */
export type DownloadProgress = DownloadProgressEvent;

export interface MeterOptions {
  file: string;
  mirror: string;
  attempt: number;
  total: number | null;
  intervalMs: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** called on every chunk: data is flowing */
  onData: () => void;
}

export class DownloadMeter extends Transform {
  bytes = 0;
  private readonly started = performance.now();
  private lastReport = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: MeterOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.options.onData();
    const now = performance.now();
    if (now - this.lastReport >= this.options.intervalMs) {
      this.lastReport = now;
      this.report();
    }
    callback(null, chunk);
  }

  report(): void {
    const { file, mirror, attempt, total, onProgress } = this.options;
    if (!onProgress) return;
    const seconds = (performance.now() - this.started) / 1000;
    const bytesPerSecond = seconds > 0 ? this.bytes / seconds : 0;
    const etaSeconds = total !== null && bytesPerSecond > 0 ? Math.max(0, total - this.bytes) / bytesPerSecond : null;
    onProgress({ file, mirror, bytes: this.bytes, total, bytesPerSecond, etaSeconds, attempt });
  }
}
