// The MNIST data the lab's calls read: loaded once, on first use, and again after a download.
import type { DownloadProgressEvent } from '../shared/contract';
import { loadMnist, type Mnist } from '../data/mnist';
import { downloadMnist, type DownloadResult } from '../data/download';
import { LabError } from './lab-error';

export class MnistSource {
  private data: Promise<Mnist> | null = null;
  private downloading: AbortController | null = null;
  /** why the download cache was passed over, when it was */
  notice: string | undefined;

  constructor(readonly cacheDir: string) {}

  get(): Promise<Mnist> {
    if (!this.data) {
      this.notice = undefined;
      const loading = loadMnist({
        cacheDir: this.cacheDir,
        onStatus: (message, kind) => {
          if (kind === 'fallback') this.notice = message;
        },
      });
      loading.catch(() => {
        if (this.data === loading) this.data = null;
      });
      this.data = loading;
    }
    return this.data;
  }

  /** Downloads MNIST into the cache, one download at a time; the next get() reads what it brought. */
  async download(mirrors: string[], onProgress: (progress: DownloadProgressEvent) => void): Promise<DownloadResult> {
    if (this.downloading) throw new LabError('data.downloadRunning');
    this.downloading = new AbortController();
    try {
      const result = await downloadMnist({ cacheDir: this.cacheDir, mirrors, signal: this.downloading.signal, onProgress });
      this.data = null;
      return result;
    } finally {
      this.downloading = null;
    }
  }

  cancelDownload(): void {
    this.downloading?.abort();
  }
}
