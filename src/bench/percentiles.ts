export interface Percentiles {
  p50: number;
  p95: number;
}

/** The median and 95th percentile of a set of timings (nearest rank). */
export function percentiles(times: number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p95: at(0.95) };
}
