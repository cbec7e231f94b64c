// `npm run bench`: preset × backend → samples/s, ms/step, peak RSS, time to first batch.
import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { WorkersChoice } from '../shared/training';
import { TRAIN_IMAGES } from '../shared/limits';
import type { BenchRow } from './row';
import type { PaintLatency } from './paint';

export const BENCH_PRESETS = ['cnn-16-36', 'mlp-256', 'lstm-128'];
/** Samples per row: enough for a steady rate, small enough for the whole bench to stay under 5 minutes. */
const SAMPLES: Record<string, { full: number; quick: number }> = {
  'cnn-16-36': { full: 12000, quick: 3000 },
  'mlp-256': { full: TRAIN_IMAGES, quick: 12800 },
  'lstm-128': { full: 6400, quick: 1280 },
};
const ROW_TIMEOUT_MS = 10 * 60 * 1000;
const PAINT_TIMEOUT_MS = 3 * 60 * 1000;

export interface BenchOptions {
  backends: string[];
  presets?: string[];
  quick?: boolean;
  /** a whole epoch (60,000 images) per row instead of a steady-rate sample */
  epoch?: boolean;
  /** training threads per row; default 'auto', as the lab trains */
  workers?: WorkersChoice;
  /** also time the paint pad's reading path (on by default) */
  paint?: boolean;
  onRow?: (row: BenchRow | { preset: string; backend: string; error: string }) => void;
}

export interface BenchReport {
  machine: { cpu: string; cores: number; memoryGB: number; node: string; platform: string };
  rows: BenchRow[];
  skipped: { preset: string; backend: string; error: string }[];
  /** the paint pad's reading, drawing to probabilities; absent when not asked for */
  paint?: PaintLatency | { error: string };
}

/** Runs a bench script in its own process; its last line of output is its JSON result. */
function runScript<T>(name: string, args: string[], timeout: number): Promise<T> {
  const script = fileURLToPath(new URL(name, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { timeout }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim().split('\n').at(-1) || error.message));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as T);
    });
  });
}

function runRow(preset: string, backend: string, samples: number, workers: WorkersChoice): Promise<BenchRow> {
  return runScript('./row.ts', [preset, backend, String(samples), String(workers)], ROW_TIMEOUT_MS);
}

export async function bench(options: BenchOptions): Promise<BenchReport> {
  const report: BenchReport = {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    rows: [],
    skipped: [],
  };
  for (const preset of options.presets ?? BENCH_PRESETS) {
    const sizes = SAMPLES[preset] ?? { full: 6000, quick: 1200 };
    const samples = options.epoch ? TRAIN_IMAGES : options.quick ? sizes.quick : sizes.full;
    for (const backend of options.backends) {
      try {
        const row = await runRow(preset, backend, samples, options.workers ?? 'auto');
        report.rows.push(row);
        options.onRow?.(row);
      } catch (error) {
        const skipped = { preset, backend, error: (error as Error).message };
        report.skipped.push(skipped);
        options.onRow?.(skipped);
      }
    }
  }
  if (options.paint ?? true) {
    report.paint = await runScript<PaintLatency>('./paint.ts', [], PAINT_TIMEOUT_MS).catch((error: Error) => ({ error: error.message }));
  }
  return report;
}
