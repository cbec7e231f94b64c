// Numbers as the views show them; the Keras log lines come from src/shared/keras-log.
export { duration, epochLine, formatLogs, progressLine } from '../../../shared/keras-log';

/** `(60000, 28, 28)`, as numpy prints a shape. */
export function formatShape(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

export function percent(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(digits)}%`;
}

export function integer(value: number | undefined, locale: string): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toLocaleString(locale);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}
