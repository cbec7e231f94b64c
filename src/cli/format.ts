// Text the CLI prints: the seeds' training log, progress bar and pd.crosstab table.
import type { ClassMetrics, EpochLogs } from '../shared/training';

const BAR_WIDTH = 30;

function right(text: string | number, width: number): string {
  return String(text).padStart(width);
}

/** The confusion matrix as pd.crosstab prints it: rows `label`, columns `predict`. */
export function crosstab(matrix: number[][]): string {
  const width = Math.max(5, ...matrix.flat().map((n) => String(n).length + 1));
  const lines = ['predict' + matrix.map((_, k) => right(k, width)).join(''), 'label'];
  matrix.forEach((row, k) => lines.push(String(k).padEnd(7) + row.map((n) => right(n, width)).join('')));
  return lines.join('\n');
}

export function perClassTable(perClass: ClassMetrics[]): string {
  const lines = ['digit  precision  recall      f1  support'];
  perClass.forEach((m, k) => {
    lines.push(`${right(k, 5)}  ${right(m.precision.toFixed(4), 9)}  ${right(m.recall.toFixed(4), 6)}  ${right(m.f1.toFixed(4), 6)}  ${right(m.support, 7)}`);
  });
  return lines.join('\n');
}

/** ` - loss: 0.1234 - acc: 0.9650 - val_loss: … - val_acc: …` */
export function formatLogs(logs: Partial<EpochLogs>): string {
  return (['loss', 'acc', 'val_loss', 'val_acc'] as const)
    .filter((key) => logs[key] !== undefined)
    .map((key) => ` - ${key}: ${(logs[key] as number).toFixed(4)}`)
    .join('');
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}:${String(Math.round(seconds - m * 60)).padStart(2, '0')}`;
}

/** Keras verbose=1: `12000/48000 [=======>......................] - ETA: 9s - loss: 0.31 - acc: 0.91` */
export function progressBar(samples: number, total: number, etaSeconds: number, logs: Partial<EpochLogs>): string {
  const done = Math.min(BAR_WIDTH, Math.floor((samples / total) * BAR_WIDTH));
  const bar = done >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : '='.repeat(Math.max(0, done - 1)) + (done > 0 ? '>' : '') + '.'.repeat(BAR_WIDTH - done);
  const width = String(total).length;
  return `${right(samples, width)}/${total} [${bar}] - ETA: ${duration(etaSeconds)}${formatLogs(logs)}`;
}

/** The line that ends an epoch: `48000/48000 [====…] - 12s 31ms/step - loss: … - val_acc: …` */
export function epochLine(total: number, seconds: number, msPerStep: number, logs: EpochLogs): string {
  return `${total}/${total} [${'='.repeat(BAR_WIDTH)}] - ${duration(seconds)} ${Math.round(msPerStep)}ms/step${formatLogs(logs)}`;
}
