// Tables the CLI prints: pd.crosstab's confusion matrix and per-class metrics.
import type { ClassMetrics } from '../shared/training';

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
