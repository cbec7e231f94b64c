import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { UsageError } from './errors';
import { BACKEND_OPTION, PYTHON_OPTION, type Command } from './command';
import { choosePython } from '../engine/keras-engine';
import { BACKEND_CHOICES } from '../shared/backends';
import { choiceFlag, intFlag, numberFlag, print, workersFlag } from './output';
import { crosstab, perClassTable } from './format';
import { epochLine, progressLine } from '../shared/keras-log';
import { modelSpecFor } from '../shared/recipes';
import { DEFAULT_AUGMENTATION, parseAugmentation } from '../shared/augment';
import { DEFAULT_LEARNING_RATE, OPTIMIZERS, summary, type ModelSpec } from '../shared/model-spec';
import { formatAccuracy, type RunResult, type TrainEvent } from '../shared/training';
import { MAX_BATCH_SIZE, MAX_EPOCHS, MAX_LEARNING_RATE, MAX_MY_DIGITS_REPEAT, MAX_SEED, MAX_WORKERS, MIN_LIMIT, TRAIN_IMAGES } from '../shared/limits';
import { MyDigitsStore, toExamples } from '../files/my-digits';
import type { TrainExtras } from '../training/messages';
import { Trainer } from '../training/trainer';
import { workersReasonText } from '../training/workers-plan';
import { adapterKind } from '../engine/webgpu-backend';
import { recoverFolder } from '../files/dir-swap';
import { labHome } from '../files/lab-home';
import { REPORT, RunStore } from '../files/run-store';

/** A preset with the command line's edits applied. */
function specFrom(preset: string, values: Record<string, unknown>): ModelSpec {
  const spec = modelSpecFor(preset);
  spec.epochs = intFlag(values.epochs, 'epochs', 1, MAX_EPOCHS) ?? spec.epochs;
  spec.batchSize = intFlag(values['batch-size'], 'batch-size', 1, MAX_BATCH_SIZE) ?? spec.batchSize;
  const optimizer = choiceFlag(values.optimizer, 'optimizer', OPTIMIZERS);
  if (optimizer) {
    spec.optimizer = optimizer;
    spec.learningRate = DEFAULT_LEARNING_RATE[optimizer];
  }
  spec.learningRate = numberFlag(values['learning-rate'], 'learning-rate', (n) => n > 0 && n <= MAX_LEARNING_RATE, `above 0 and at most ${MAX_LEARNING_RATE}`) ?? spec.learningRate;
  const split = numberFlag(values['validation-split'], 'validation-split', (n) => n >= 0 && n < 1, 'at least 0 and below 1 (0: no validation)');
  if (split !== undefined) spec.validation = split === 0 ? { kind: 'none' } : { kind: 'split', fraction: split };
  const ranges = values['augment-ranges'] as string | undefined;
  if (values.augment === true || ranges !== undefined) spec.augmentation = ranges === undefined ? { ...DEFAULT_AUGMENTATION } : parseAugmentation(ranges);
  return spec;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

export const trainCommand: Command = {
  name: 'train',
  usage: 'train <preset|recipe> [options]',
  summary: 'fit a preset on MNIST, evaluate it, save the model and a report',
  help: `  --epochs N  --batch-size N  --optimizer sgd|adam|rmsprop  --learning-rate X
  --validation-split X (0 = none)  --limit N (train on the first N images)
  --backend auto|tensorflow|tensorflow-gpu|webgpu|wasm|cpu|keras  --seed N  --out DIR
  --workers auto|N (training threads on wasm and cpu, 1 to ${MAX_WORKERS}; auto: one per core for CNNs and RNNs)
  --python PATH (for --backend keras: the Python whose Keras 3 trains; default python3 on PATH)
  --my-digits (add the My digits saved from the paint pad)  --my-digits-repeat N
  --augment (rotate, shift, zoom and thicken each training batch at random, seeded by --seed)
  --augment-ranges rotation=0.04,translation=0.1,zoom=0.1,thickness=0.5 (implies --augment)
`,
  options: {
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    optimizer: { type: 'string' },
    'learning-rate': { type: 'string' },
    'validation-split': { type: 'string' },
    limit: { type: 'string' },
    seed: { type: 'string' },
    workers: { type: 'string' },
    out: { type: 'string' },
    'my-digits': { type: 'boolean' },
    'my-digits-repeat': { type: 'string' },
    augment: { type: 'boolean' },
    'augment-ranges': { type: 'string' },
    ...BACKEND_OPTION,
    ...PYTHON_OPTION,
  },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('train takes one preset id, e.g. `digit-lab train cnn-16-36 --epochs 3`');
    const preset = positionals[0];
    const spec = specFrom(preset, values);
    const backend = choiceFlag(values.backend, 'backend', BACKEND_CHOICES) ?? 'auto';
    const limit = intFlag(values.limit, 'limit', MIN_LIMIT, TRAIN_IMAGES);
    const seed = intFlag(values.seed, 'seed', 0, MAX_SEED);
    const workers = workersFlag(values.workers);
    const myDigits = values['my-digits'] === true;
    const myDigitsRepeat = intFlag(values['my-digits-repeat'], 'my-digits-repeat', 1, MAX_MY_DIGITS_REPEAT);
    if (myDigitsRepeat !== undefined && !myDigits) throw new UsageError('--my-digits-repeat goes with --my-digits');
    const extras: TrainExtras = {};
    if (myDigits) {
      const store = new MyDigitsStore(labHome());
      const digits = await store.list();
      if (store.damaged) process.stderr.write(`digit-lab: ${store.damaged}\n`);
      if (digits.length === 0) throw new UsageError(`--my-digits: there are no My digits in ${store.dir} yet; label some drawings in the Paint view first`);
      const { count, images, labels } = toExamples(digits);
      extras.myDigits = { count, images, labels };
    }
    const runs = new RunStore(labHome());
    if (runs.damaged) process.stderr.write(`digit-lab: ${runs.damaged}\n`);
    const out = resolve((values.out as string | undefined) ?? join(runs.modelsDir, `${preset}-${timestamp()}`));
    // What a killed earlier save into the same place left: its old folder back, its temp removed.
    await recoverFolder(out);
    const json = values.json as boolean | undefined;
    const tty = process.stdout.isTTY && !json;
    const log = (line: string) => {
      if (!json) process.stdout.write(line + '\n');
    };

    log(summary(spec));
    if (values.python !== undefined && backend !== 'keras') throw new UsageError('--python goes with --backend keras');
    const trainer = new Trainer({ backend, python: choosePython(values.python as string | undefined) });
    let total = 0;
    trainer.on('event', (event: TrainEvent) => {
      switch (event.type) {
        case 'start':
          total = event.trainCount;
          const kind = event.engine.softwareAdapter === undefined ? '' : ` (${adapterKind(event.engine.softwareAdapter)})`;
          log(`Backend: ${event.engine.backend} (${event.engine.version}${kind}): ${event.engine.reason}`);
          if (event.engine.workers && event.engine.workersWhy) log(`Threads: ${workersReasonText(event.engine.workers, event.engine.workersWhy, event.engine.backend)}`);
          log(`Train on ${event.trainCount} samples${event.validationCount ? `, validate on ${event.validationCount} samples` : ''}`);
          break;
        case 'epochBegin':
          log(`Epoch ${event.epoch}/${event.epochs}`);
          break;
        case 'batch':
          if (tty) process.stdout.write(`\r${progressLine(event.samples, event.totalSamples, event.etaSeconds, event)}\x1b[K`);
          break;
        case 'epochEnd':
          if (tty) process.stdout.write('\r\x1b[K');
          log(epochLine(total, event.seconds, event.msPerStep, event.logs));
          break;
        case 'evaluating':
          log('Evaluating on the 10,000 test images ...');
          break;
      }
    });
    const stopOnInterrupt = () => {
      process.stderr.write('\nStopping after this batch (Ctrl-C again to quit now)...\n');
      trainer.stop();
      process.once('SIGINT', () => process.exit(130));
    };
    process.once('SIGINT', stopOnInterrupt);
    const runId = randomUUID();
    let result: RunResult;
    try {
      result = await trainer.run({ spec, limit, seed, workers, saveDir: out, ...(myDigits ? { myDigits, myDigitsRepeat } : {}) }, extras, runId);
    } catch (error) {
      runs.failed(runId, spec, (error as Error).message);
      throw error;
    } finally {
      process.off('SIGINT', stopOnInterrupt);
      await trainer.close();
    }
    await runs.finished(result);
    const { evaluation } = result;
    print(json, result, () =>
      [
        `accuracy = ${formatAccuracy(evaluation.accuracy)}  (loss ${evaluation.loss.toFixed(4)})`,
        crosstab(evaluation.confusionMatrix),
        '',
        perClassTable(evaluation.perClass),
        '',
        `${evaluation.misclassified.length} test images misread; trained ${result.epochsCompleted} epoch(s) in ${result.durationSeconds.toFixed(1)}s${result.stopped ? ' (stopped early)' : ''}`,
        `Saved the model and ${REPORT} to ${out}`,
      ].join('\n'),
    );
  },
};
