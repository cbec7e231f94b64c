// The seeds' Keras training log (verbose=1), printed alike by the command line and the Train view.
import type { EpochLogs } from './training';

const BAR_WIDTH = 30;

/** `12s`, or `1:05` past a minute, as Keras prints durations. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** ` - loss: 0.1234 - acc: 0.9650 - val_loss: … - val_acc: …`; a diverged loss reads `nan`, as in Keras. */
export function formatLogs(logs: Partial<EpochLogs>): string {
  return (['loss', 'acc', 'val_loss', 'val_acc'] as const)
    .filter((key) => logs[key] !== undefined)
    .map((key) => {
      const value = logs[key] as number;
      return ` - ${key}: ${Number.isFinite(value) ? value.toFixed(4) : String(value).toLowerCase()}`;
    })
    .join('');
}

/** While an epoch runs: `12000/48000 [=======>.......] - ETA: 9s - loss: … - acc: …` */
export function progressLine(samples: number, total: number, etaSeconds: number, logs: Partial<EpochLogs>): string {
  const done = total > 0 ? Math.min(BAR_WIDTH, Math.floor((samples / total) * BAR_WIDTH)) : 0;
  const bar = done >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : '='.repeat(Math.max(0, done - 1)) + (done > 0 ? '>' : '') + '.'.repeat(BAR_WIDTH - done);
  const width = String(total).length;
  return `${String(samples).padStart(width)}/${total} [${bar}] - ETA: ${duration(etaSeconds)}${formatLogs(logs)}`;
}

/** The line that ends an epoch: `48000/48000 [====…] - 12s 31ms/step - loss: … - val_acc: …` */
export function epochLine(total: number, seconds: number, msPerStep: number, logs: Partial<EpochLogs>): string {
  return `${total}/${total} [${'='.repeat(BAR_WIDTH)}] - ${duration(seconds)} ${Math.round(msPerStep)}ms/step${formatLogs(logs)}`;
}
