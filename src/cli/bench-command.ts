import type { Command } from './command';
import { print } from './output';
import { bench, type BenchReport } from '../bench/bench';
import { PRESET_IDS } from '../shared/presets';
import { availableParallelism } from 'node:os';
import { MAX_WORKERS } from '../shared/limits';
import { UsageError } from './errors';
import { intFlag, workersFlag } from './output';
import { autoGpuVerdict } from '../engine/webgpu-backend';

/** One animation frame at 60 Hz, the paint pad's target for a reading. */
const FRAME_MS = 1000 / 60;

function table(report: BenchReport): string {
  const m = report.machine;
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, ${m.platform}`,
    'preset       backend          workers  batch  samples/s  ms/step  peak RSS  first batch  data ready  predict p95  augment',
    ...report.rows.map(
      (r) =>
        `${r.preset.padEnd(12)} ${r.backend.padEnd(16)} ${String(r.workers).padStart(7)} ${String(r.batchSize).padStart(6)} ${r.samplesPerSecond.toFixed(0).padStart(10)} ${r.msPerStep.toFixed(1).padStart(8)} ${measured(r.peakRssMB, 0, 'MB').padStart(9)} ${measured(r.firstBatchSeconds, 2, 's').padStart(12)} ${measured(r.dataReadySeconds, 2, 's').padStart(11)} ${measured(r.predictP95Ms, 2, 'ms').padStart(12)} ${(r.augmentShare === undefined ? '' : `${r.augmentShare < 0 ? '' : '+'}${(r.augmentShare * 100).toFixed(1)}%`).padStart(8)}`,
    ),
    ...(report.kerasMissing ? [`keras        no row: ${report.kerasMissing}`] : []),
    ...report.skipped.map((s) => `${s.preset.padEnd(12)} ${s.backend.padEnd(16)} skipped: ${s.error.split(' (')[0]}`),
    ...[...new Set(report.rows.flatMap((r) => (r.note ? [r.note] : [])))].map((note) => `note: ${note}`),
    ...[...new Set(report.rows.flatMap((r) => (r.adapter ? [r.adapter] : [])))].map((adapter) => `webgpu ran on: ${adapter}`),
    ...peerRatios(report),
    ...(report.paint ? ['', ...paintLines(report.paint)] : []),
  ].join('\n');
}

const isPeer = (backend: string) => backend.startsWith('keras-');

/** A figure with its unit, or – where the row does not measure it (NaN: JSON writes null). */
function measured(value: number | null, digits: number, unit: string): string {
  return value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(digits)} ${unit}`;
}

/** Per preset, the lab's fastest row against the fastest peer's, from the same run. */
function peerRatios(report: BenchReport): string[] {
  const lines: string[] = [];
  for (const preset of new Set(report.rows.map((r) => r.preset))) {
    const rows = report.rows.filter((r) => r.preset === preset);
    const fastest = (list: typeof rows) => list.reduce<(typeof rows)[number] | undefined>((best, r) => (!best || r.samplesPerSecond > best.samplesPerSecond ? r : best), undefined);
    const lab = fastest(rows.filter((r) => !isPeer(r.backend) && r.backend !== 'keras'));
    const peer = fastest(rows.filter((r) => isPeer(r.backend)));
    if (!lab || !peer) continue;
    const ratio = lab.samplesPerSecond / peer.samplesPerSecond;
    lines.push(`${preset}: the lab on ${lab.backend} ${lab.samplesPerSecond.toFixed(0)} samples/s ÷ ${peer.backend} ${peer.samplesPerSecond.toFixed(0)} = ${ratio.toFixed(2)}×`);
    // the Keras engine against plain Keras on the same backend: what the protocol and events cost
    const engine = rows.find((r) => r.backend === 'keras');
    const same = engine && rows.find((r) => r.backend === `keras-${engine.kerasBackend}`);
    if (engine && same) {
      lines.push(`${preset}: the keras engine ${engine.samplesPerSecond.toFixed(0)} samples/s ÷ ${same.backend} ${same.samplesPerSecond.toFixed(0)} = ${(engine.samplesPerSecond / same.samplesPerSecond).toFixed(2)}×; first batch ${engine.firstBatchSeconds.toFixed(2)} s against ${same.firstBatchSeconds.toFixed(2)} s`);
    }
  }
  return lines.length > 0 ? ['', ...lines] : [];
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

function paintLines(paint: NonNullable<BenchReport['paint']>): string[] {
  if ('error' in paint) return [`paint reading: not measured: ${paint.error}`];
  const line = (what: string, p: { p50: number; p95: number }) => `  ${what.padEnd(44)} p50 ${ms(p.p50).padStart(8)}   p95 ${ms(p.p95).padStart(8)}`;
  return [
    `paint reading: ${paint.model} on ${paint.backend}, a ${paint.drawing} drawing, ${paint.readings} readings (one frame at 60 Hz is ${ms(FRAME_MS)})`,
    line('preprocess to 28×28', paint.preprocessMs),
    line('preprocess + predict with feature maps', paint.inProcessMs),
    line('the same over the WebSocket (browser mode)', paint.webSocketMs),
  ];
}

/** `--scaling`: wasm's samples/s at 1…N training threads per preset, against one thread. */
function scalingTable(report: BenchReport): string {
  const m = report.machine;
  const rows = report.scaling ?? [];
  const cost = (preset: string, workers: number) => report.rows.find((r) => r.preset === preset && r.workers === workers)?.cost;
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, ${m.platform}`,
    'preset       threads  samples/s  speedup  efficiency  compute ms/sample  sync ms/step  replica sync ms/step  wait ms/step  CPU ms/sample',
    ...rows.map((r) => {
      const c = cost(r.preset, r.workers);
      return `${r.preset.padEnd(12)} ${String(r.workers).padStart(7)} ${r.samplesPerSecond.toFixed(0).padStart(10)} ${`${r.speedup.toFixed(2)}×`.padStart(8)} ${`${(r.efficiency * 100).toFixed(0)}%`.padStart(11)} ${(c ? c.computeMsPerSample.toFixed(3) : '').padStart(18)} ${(c ? c.syncMsPerStep.toFixed(1) : '').padStart(13)} ${(c ? c.replicaSyncMsPerStep.toFixed(1) : '').padStart(21)} ${(c ? c.waitMsPerStep.toFixed(1) : '').padStart(12)} ${(c ? c.cpuMsPerSample.toFixed(3) : '').padStart(14)}`;
    }),
    ...report.skipped.map((s) => `${s.preset.padEnd(12)} ${s.backend.padEnd(16)} skipped: ${s.error.split(' (')[0]}`),
    ...(rows.some((r) => r.workers > m.cores) ? [`note: rows above ${m.cores} threads share ${m.cores} cores: they show the cost of synchronising, not a speed-up`] : []),
  ].join('\n');
}

export const benchCommand: Command = {
  name: 'bench',
  usage: 'bench [--quick] [--epoch] [--cpu] [--webgpu] [--workers N|auto] [--preset ID…] [--no-paint] [--python PATH] [--peers PYTHON] | bench --scaling [--workers-max N] [--quick] [--preset ID…]',
  summary: 'training speed per preset and backend: samples/s, ms/step, peak RSS; the paint pad\'s reading time',
  help: `  --quick      fewer samples per row
  --epoch      a whole 60,000-image epoch per row (slow)
  --cpu        also the pure-JS cpu backend (very slow for CNNs)
  --webgpu     also the webgpu engine on a software adapter (lavapipe, SwiftShader: slow; use --quick).
               On a hardware GPU adapter its rows are always there, with the adapter's name
  --workers N  training threads on wasm and cpu: 1 to ${MAX_WORKERS}, or auto (the default: one per core for CNNs and
               RNNs, keeping at least 16 samples of a batch per thread; 1 for dense-only models); tensorflow
               always trains on one thread, which TensorFlow spreads over every core
  --scaling    instead of the engine rows: wasm's samples/s at 1, 2, … N threads for each preset, with the
               speed-up, the parallel efficiency and the measured step costs (compute per sample, sync per step)
  --workers-max N  the N of --scaling (default: this machine's cores, ${availableParallelism()} here)
  --preset ID  only these presets (repeatable)
  --no-paint   skip timing the paint pad's reading (a drawing preprocessed and read by cnn-16-36)
  --python PATH  the Python for the keras row, the Keras engine (default python3 on PATH); without
               Keras 3 there, the report says why there is no keras row
  --peers PYTHON  also train each preset in real Keras (that Python's, on its tensorflow and jax
               backends) on the same images and batch size, and print the lab's speed against it
`,
  options: {
    quick: { type: 'boolean' },
    epoch: { type: 'boolean' },
    cpu: { type: 'boolean' },
    webgpu: { type: 'boolean' },
    workers: { type: 'string' },
    scaling: { type: 'boolean' },
    'workers-max': { type: 'string' },
    preset: { type: 'string', multiple: true },
    'no-paint': { type: 'boolean' },
    peers: { type: 'string' },
    python: { type: 'string' },
  },
  async run(values) {
    const presets = values.preset as string[] | undefined;
    for (const id of presets ?? []) {
      if (!PRESET_IDS.includes(id)) throw new Error(`unknown preset "${id}"; the presets are: ${PRESET_IDS.join(', ')}`);
    }
    // 'tensorflow' is tried and reported as skipped where tfjs-node is not installed; so is
    // 'webgpu' when asked for, and it is asked for by itself where the adapter is hardware.
    const scaling = values.scaling === true;
    const webgpu = values.webgpu === true || (!scaling && (await autoGpuVerdict()).use);
    const backends = ['tensorflow', ...(webgpu ? ['webgpu'] : []), 'wasm', ...(values.cpu ? ['cpu'] : [])];
    const json = values.json as boolean | undefined;
    const workers = workersFlag(values.workers);
    if (values['workers-max'] !== undefined && !scaling) throw new UsageError('--workers-max goes with --scaling');
    const scalingMax = scaling ? (intFlag(values['workers-max'], 'workers-max', 1, MAX_WORKERS) ?? Math.min(availableParallelism(), MAX_WORKERS)) : undefined;
    const report = await bench({
      workers,
      scalingMax,
      backends,
      presets,
      quick: values.quick as boolean | undefined,
      epoch: values.epoch as boolean | undefined,
      paint: !(values['no-paint'] as boolean | undefined),
      peers: values.peers as string | undefined,
      python: values.python as string | undefined,
      onRow: (row) => {
        if (!json) process.stderr.write(`  ${'error' in row ? `${row.preset} on ${row.backend}: skipped` : `${row.preset} on ${row.backend}, ${row.workers} thread(s): ${row.samplesPerSecond.toFixed(0)} samples/s`}\n`);
      },
    });
    print(json, report, () => (scaling ? scalingTable(report) : table(report)));
  },
};
