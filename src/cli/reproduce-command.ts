import { BACKEND_OPTION, type Command } from './command';
import { BACKEND_CHOICES as BACKENDS } from '../shared/backends';
import { choiceFlag, print } from './output';
import { duration, progressLine } from '../shared/keras-log';
import { finishedRow, formatDifference, formatSpread, QUICK, REPRODUCE_SEED, reproducePresets, reproduceRequest, runEtaSeconds, waitingRow, type ReproduceRow } from '../shared/reproduce';
import { formatAccuracy, type TrainEvent } from '../shared/training';
import { KERAS_REFERENCE_COMMAND } from '../shared/keras-reference';
import { Trainer } from '../training/trainer';

function table(rows: ReproduceRow[]): string {
  const lines = ['preset           reference        the lab   difference  training time  Keras over seeds'];
  for (const row of rows) {
    const reference = row.reference ? `${formatAccuracy(row.reference.accuracy)} ${row.reference.source === 'seed' ? 'seed ' : 'Keras'}` : '—';
    const accuracy = row.accuracy === undefined ? row.status : formatAccuracy(row.accuracy);
    const difference = row.difference === undefined ? '—' : formatDifference(row.difference);
    const time = row.seconds === undefined ? '—' : `${row.seconds.toFixed(1)} s`;
    const spread = row.reference?.spread ? `${formatSpread(row.reference.spread)} (${row.reference.spread.runs} runs)` : '';
    lines.push(`${row.preset.padEnd(16)} ${reference.padEnd(15)}  ${accuracy.padStart(8)}   ${difference.padStart(10)}  ${time.padStart(13)}  ${spread}`.trimEnd());
  }
  return lines.join('\n');
}

const SPREAD_NOTE = `The lab's accuracy is one run (seed ${REPRODUCE_SEED}), as a seed's is; "Keras over seeds" is real Keras's mean ± sd over several seeds: how far one run can fall from another.\n`;

export const reproduceCommand: Command = {
  name: 'reproduce',
  usage: 'reproduce [--preset ID…] [--quick]',
  summary: "train the seed presets with the seeds' settings, one after another, and compare with the seeds' accuracies",
  help: `  --preset ID (repeatable; default: every preset)  --backend auto|tensorflow|tensorflow-gpu|webgpu|wasm|cpu
  --quick (${QUICK.epochs} epoch on the first ${QUICK.limit} images: checks that each preset trains; the accuracies are not the seeds')
  The reference is the accuracy the seed printed (one run), or, for a preset the seeds never ran, the
  mean of real Keras's runs over seeds, measured by ${KERAS_REFERENCE_COMMAND}.
  The lab trains each preset once, with seed ${REPRODUCE_SEED}, so it repeats on the same backend. One run
  differs from another by chance: where real Keras was trained over several seeds, "Keras over
  seeds" gives their mean ± sd, the yardstick for a difference.
`,
  options: {
    preset: { type: 'string', multiple: true },
    quick: { type: 'boolean' },
    ...BACKEND_OPTION,
  },
  async run(values) {
    const presets = reproducePresets((values.preset as string[] | undefined) ?? []);
    const quick = values.quick === true;
    const backend = choiceFlag(values.backend, 'backend', BACKENDS) ?? 'auto';
    const json = values.json as boolean | undefined;
    const tty = process.stdout.isTTY && !json;
    const log = (line: string) => {
      if (!json) process.stdout.write(line + '\n');
    };
    const rows = presets.map(waitingRow);
    const trainer = new Trainer({ backend });
    let stopping = false;
    const stopOnInterrupt = () => {
      process.stderr.write('\nStopping after this batch (Ctrl-C again to quit now)...\n');
      stopping = true;
      trainer.stop();
      process.once('SIGINT', () => process.exit(130));
    };
    process.once('SIGINT', stopOnInterrupt);
    const started = Date.now();
    try {
      for (const [i, preset] of presets.entries()) {
        if (stopping) break;
        const request = reproduceRequest(preset, quick);
        const head = `[${i + 1}/${presets.length}] ${preset.id}`;
        log(`${head}: ${request.spec.epochs} epoch(s) × batch ${request.spec.batchSize}, ${request.spec.optimizer}${quick ? `, the first ${QUICK.limit} images` : ''}`);
        rows[i] = { ...rows[i], status: 'training' };
        const onEvent = (event: TrainEvent) => {
          if (event.type === 'batch' && tty) {
            const eta = runEtaSeconds(event, request.spec.epochs);
            process.stdout.write(`\r${head} epoch ${event.epoch}/${request.spec.epochs} ETA ${duration(eta)}  ${progressLine(event.samples, event.totalSamples, event.etaSeconds, event)}\x1b[K`);
          } else if (event.type === 'epochEnd') {
            if (tty) process.stdout.write('\r\x1b[K');
            log(`${head} epoch ${event.epoch}/${event.epochs}: loss ${event.logs.loss.toFixed(4)}, acc ${event.logs.acc.toFixed(4)} (${duration(event.seconds)})`);
          }
        };
        trainer.on('event', onEvent);
        try {
          const result = await trainer.run(request);
          rows[i] = finishedRow(rows[i], result.evaluation.accuracy, result.durationSeconds, result.stopped);
          log(`${head}: ${formatAccuracy(result.evaluation.accuracy)} in ${result.durationSeconds.toFixed(1)} s`);
        } catch (error) {
          rows[i] = { ...rows[i], status: 'failed', message: (error as Error).message };
          log(`${head}: failed: ${(error as Error).message}`);
        } finally {
          trainer.off('event', onEvent);
        }
      }
    } finally {
      process.off('SIGINT', stopOnInterrupt);
      await trainer.close();
    }
    const seconds = (Date.now() - started) / 1000;
    print(json, { quick, seconds, rows }, () =>
      ['', table(rows), '', `${quick ? 'Quick check (1 epoch on 6,000 images): the differences say little. ' : SPREAD_NOTE}${rows.filter((r) => r.status === 'done').length} of ${rows.length} trained in ${duration(seconds)}`].join('\n'),
    );
  },
};
