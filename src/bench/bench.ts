// `npm run bench`: preset × backend → samples/s, ms/step, peak RSS, time to first batch.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../data/mnist';
import { presetSpec } from '../shared/presets';
import { labRoot } from '../engine/link-tensorflow';
import type { WorkersChoice } from '../shared/training';
import { TRAIN_IMAGES } from '../shared/limits';
import type { BenchRow } from './row';
import type { PaintLatency } from './paint';
import { measureKeras } from './keras-row';
import { choosePython, probeKeras } from '../engine/keras-engine';

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
  /** instead of the engine rows: wasm at 1, 2, … up to this many training threads per preset */
  scalingMax?: number;
  /** also time the paint pad's reading path (on by default) */
  paint?: boolean;
  /** a Python with Keras: each preset also trains in Keras on its TensorFlow and JAX backends */
  peers?: string;
  /** the Python for the keras row (the Keras engine); where it cannot run the engine, the report says why */
  python?: string;
  onRow?: (row: BenchRow | { preset: string; backend: string; error: string }) => void;
}

export interface BenchReport {
  machine: { cpu: string; cores: number; memoryGB: number; node: string; platform: string };
  rows: BenchRow[];
  skipped: { preset: string; backend: string; error: string }[];
  /** with scalingMax: per preset, wasm's rows at 1…N threads, each against one thread */
  scaling?: ScalingRow[];
  /** why there is no keras row, where the Keras engine cannot run */
  kerasMissing?: string;
  /** the paint pad's reading, drawing to probabilities; absent when not asked for */
  paint?: PaintLatency | { error: string };
}

export interface ScalingRow {
  preset: string;
  workers: number;
  samplesPerSecond: number;
  /** samples/s ÷ one thread's */
  speedup: number;
  /** speedup ÷ threads: 1 is perfect scaling */
  efficiency: number;
}
/** Dawn's start-up warnings on stderr, which are not a row's error. */
const DAWN_WARNING = /^Warning: .* artificially reduced/;

/** Runs a bench script in its own process; its last line of output is its JSON result. */
function runScript<T>(name: string, args: string[], timeout: number): Promise<T> {
  const script = fileURLToPath(new URL(name, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { timeout }, (error, stdout, stderr) => {
      if (error?.killed) reject(new Error(`it did not finish within ${timeout / 60_000} min`));
      else if (error) reject(new Error(stderr.trim().split('\n').filter((line) => !DAWN_WARNING.test(line)).at(-1) || error.message));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as T);
    });
  });
}

/** Keras's backends a peer row runs on. */
const PEER_BACKENDS = ['tensorflow', 'jax'];

interface PeerResult {
  samplesPerSecond: number;
  msPerStep: number;
  firstBatchSeconds: number;
  dataReadySeconds: number;
  peakRssMB: number;
  predictP95Ms: number;
}

/** The same preset, images and batch size in real Keras (resources/bench-peer.py), in its own process. */
function runPeer(python: string, kerasBackend: string, specPath: string, dataPath: string, samples: number): Promise<PeerResult> {
  const script = join(labRoot(), 'resources', 'bench-peer.py');
  const env = { ...process.env, KERAS_BACKEND: kerasBackend, TF_CPP_MIN_LOG_LEVEL: '3', JAX_PLATFORMS: 'cpu' };
  return new Promise((resolve, reject) => {
    execFile(python, [script, specPath, dataPath, String(samples)], { timeout: ROW_TIMEOUT_MS, env, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error((error as NodeJS.ErrnoException).code === 'ENOENT' ? `there is no Python at "${python}"` : stderr.trim().split('\n').at(-1) || error.message));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as PeerResult);
    });
  });
}

/** The first `samples` training images and labels as bench-peer.py reads them. */
async function writePeerData(dir: string, preset: string, samples: number): Promise<{ specPath: string; dataPath: string }> {
  const train = (await loadMnist()).train;
  const specPath = join(dir, `${preset}.json`);
  const dataPath = join(dir, `${preset}.bin`);
  const images = new Uint8Array(train.images.buffer, train.images.byteOffset, samples * 784 * 4);
  await writeFile(specPath, JSON.stringify(presetSpec(preset)));
  await writeFile(dataPath, Buffer.concat([images, train.labels.subarray(0, samples)]));
  return { specPath, dataPath };
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
  const record = async (preset: string, backend: string, measure: () => Promise<BenchRow>) => {
    try {
      const row = await measure();
      report.rows.push(row);
      options.onRow?.(row);
    } catch (error) {
      const skipped = { preset, backend, error: (error as Error).message };
      report.skipped.push(skipped);
      options.onRow?.(skipped);
    }
  };
  if (options.scalingMax) {
    report.scaling = [];
    for (const preset of options.presets ?? BENCH_PRESETS) {
      const sizes = SAMPLES[preset] ?? { full: 6000, quick: 1200 };
      const samples = options.epoch ? TRAIN_IMAGES : options.quick ? sizes.quick : sizes.full;
      let one: BenchRow | undefined;
      for (let workers = 1; workers <= options.scalingMax; workers++) {
        await record(preset, 'wasm', async () => {
          const row = await runRow(preset, 'wasm', samples, workers);
          one ??= row;
          const speedup = row.samplesPerSecond / one.samplesPerSecond;
          report.scaling!.push({ preset, workers, samplesPerSecond: row.samplesPerSecond, speedup, efficiency: speedup / workers });
          return row;
        });
      }
    }
    return report;
  }
  const peerDir = options.peers ? await mkdtemp(join(tmpdir(), 'digit-lab-peers-')) : undefined;
  const kerasPython = choosePython(options.python);
  const keras = await probeKeras(kerasPython).then(
    () => true,
    (error: Error) => {
      report.kerasMissing = error.message;
      return false;
    },
  );
  try {
    for (const preset of options.presets ?? BENCH_PRESETS) {
      const sizes = SAMPLES[preset] ?? { full: 6000, quick: 1200 };
      const samples = options.epoch ? TRAIN_IMAGES : options.quick ? sizes.quick : sizes.full;
      for (const backend of options.backends) await record(preset, backend, () => runRow(preset, backend, samples, options.workers ?? 'auto'));
      if (keras) await record(preset, 'keras', () => measureKeras(kerasPython, preset, samples));
      if (!options.peers || !peerDir) continue;
      const python = options.peers;
      const { specPath, dataPath } = await writePeerData(peerDir, preset, samples);
      const batchSize = presetSpec(preset).batchSize;
      for (const kerasBackend of PEER_BACKENDS) {
        await record(preset, `keras-${kerasBackend}`, async () => {
          const peer = await runPeer(python, kerasBackend, specPath, dataPath, samples);
          return { preset, backend: `keras-${kerasBackend}`, workers: availableParallelism(), batchSize, samples: samples - Math.min(batchSize, samples), ...peer };
        });
      }
    }
  } finally {
    if (peerDir) await rm(peerDir, { recursive: true, force: true });
  }
  if (options.paint ?? true) {
    report.paint = await runScript<PaintLatency>('./paint.ts', [], PAINT_TIMEOUT_MS).catch((error: Error) => ({ error: error.message }));
  }
  return report;
}
