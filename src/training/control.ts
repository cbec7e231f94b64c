// Pause, resume and stop for a run whose loop awaits checkpoint() between batches.

/** The clock and the time paused so far, at one moment. */
export interface TrainingMark {
  at: number;
  paused: number;
}

export class RunControl {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private pausedSince: number | null = null;
  private pausedBefore = 0;
  /** told of each request as it comes, for a run that trains elsewhere (the Keras engine's process) */
  onRequest: ((request: 'pause' | 'resume' | 'stop') => void) | null = null;

  get isPaused(): boolean {
    return this.paused;
  }

  get stopRequested(): boolean {
    return this.stopped;
  }

  /** Milliseconds spent paused so far, the pause under way included: not training time. */
  private get pausedMs(): number {
    return this.pausedBefore + (this.pausedSince === null ? 0 : performance.now() - this.pausedSince);
  }

  /** A moment to time training from (a run's start, an epoch's). */
  mark(): TrainingMark {
    return { at: performance.now(), paused: this.pausedMs };
  }

  /** Seconds of training since `mark`: time spent paused meanwhile is left out. */
  secondsSince(mark: TrainingMark): number {
    return (performance.now() - mark.at - (this.pausedMs - mark.paused)) / 1000;
  }

  pause(): void {
    if (!this.paused) this.pausedSince = performance.now();
    this.paused = true;
    this.onRequest?.('pause');
  }

  resume(): void {
    this.endPause();
    this.paused = false;
    this.onRequest?.('resume');
    this.wake?.();
  }

  /** Stop after the current batch; the model keeps what it learned and is still evaluated. */
  stop(): void {
    this.endPause();
    this.stopped = true;
    this.onRequest?.('stop');
    this.wake?.();
  }

  private endPause(): void {
    this.pausedBefore = this.pausedMs;
    this.pausedSince = null;
  }

  /**
   * Lets queued messages (pause, stop) in — wasm kernels run synchronously, so without a
   * macrotask break they would wait for the whole epoch — and waits while paused.
   */
  async checkpoint(onPause?: () => void, onResume?: () => void): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!this.paused || this.stopped) return;
    onPause?.();
    while (this.paused && !this.stopped) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    this.wake = null;
    onResume?.();
  }
}
