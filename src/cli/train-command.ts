import { join, resolve } from 'node:path';
import { UsageError } from './errors';
import { BACKEND_OPTION, BACKENDS, type Command } from './command';
import { choiceFlag, intFlag, numberFlag, print } from './output';
import { crosstab, perClassTable } from './format';
import { epochLine, progressLine } from '../shared/keras-log';
import { presetSpec } from '../shared/presets';
import { DEFAULT_LEARNING_RATE, OPTIMIZERS, summary, type ModelSpec } from '../shared/model-spec';
import { formatAccuracy, MAX_MY_DIGITS_REPEAT, type RunResult, type TrainEvent } from '../shared/training';
import { MyDigitsStore, toExamples } from '../files/my-digits';
import type { TrainExtras } from '../training/messages';
import { Trainer } from '../training/trainer';
import { writeFileAtomic } from '../files/atomic';
import { labHome } from '../files/lab-home';
import { RunHistory, failedRecord, toRecord } from '../files/runs';



/** A preset with the command line's edits applied. */
function specFrom(preset: string, values: Record<string, unknown>): ModelSpec {
  const spec = presetSpec(preset);
  spec.epochs = intFlag(values.epochs, 'epochs', 1, 1000) ?? spec.epochs;
  spec.batchSize = intFlag(values['batch-size'], 'batch-size', 1, 60000) ?? spec.batchSize;
  const optimizer = choiceFlag(values.optimizer, 'optimizer', OPTIMIZERS);
  if (optimizer) {
    spec.optimizer = optimizer;
    spec.learningRate = DEFAULT_LEARNING_RATE[optimizer];
  }
  spec.learningRate = numberFlag(values['learning-rate'], 'learning-rate', (n) => n > 0 && n <= 10, 'above 0 and at most 10') ?? spec.learningRate;
  const split = numberFlag(values['validation-split'], 'validation-split', (n) => n >= 0 && n < 1, 'at least 0 and below 1 (0: no validation)');
  if (split !== undefined) spec.validation = split === 0 ? { kind: 'none' } : { kind: 'split', fraction: split };
  return spec;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

export const trainCommand: Command = {
  name: 'train',
  usage: 'train <preset> [options]',
  summary: 'fit a preset on MNIST, evaluate it, save the model and a report',
  help: `  --epochs N  --batch-size N  --optimizer sgd|adam|rmsprop  --learning-rate X
  --validation-split X (0 = none)  --limit N (train on the first N images)
  --backend auto|tensorflow|tensorflow-gpu|wasm|cpu  --seed N  --out DIR
  --my-digits (add the My digits saved from the paint pad)  --my-digits-repeat N
`,
  options: {
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    optimizer: { type: 'string' },
    'learning-rate': { type: 'string' },
    'validation-split': { type: 'string' },
    limit: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    'my-digits': { type: 'boolean' },
    'my-digits-repeat': { type: 'string' },
    ...BACKEND_OPTION,
  },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('train takes one preset id, e.g. `digit-lab train cnn-16-36 --epochs 3`');
    const preset = positionals[0];
    const spec = specFrom(preset, values);
    const backend = choiceFlag(values.backend, 'backend', BACKENDS) ?? 'auto';
    const limit = intFlag(values.limit, 'limit', 1, 60000);
    const seed = intFlag(values.seed, 'seed', 0, 2 ** 31 - 1);
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
    const out = resolve((values.out as string | undefined) ?? join(labHome(), 'models', `${preset}-${timestamp()}`));
    const json = values.json as boolean | undefined;
    const tty = process.stdout.isTTY && !json;
    const log = (line: string) => {
      if (!json) process.stdout.write(line + '\n');
    };

    log(summary(spec));
    const trainer = new Trainer({ backend });
    let total = 0;
    trainer.on('event', (event: TrainEvent) => {
      switch (event.type) {
        case 'start':
          total = event.trainCount;
          log(`Backend: ${event.engine.backend} (${event.engine.version}): ${event.engine.reason}`);
          if (event.engine.workersNote) log(`Note: ${event.engine.workersNote}`);
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
    const history = new RunHistory(labHome());
    if (history.damaged) process.stderr.write(`digit-lab: ${history.damaged}\n`);
    let result: RunResult;
    try {
      result = await trainer.run({ spec, limit, seed, saveDir: out, ...(myDigits ? { myDigits, myDigitsRepeat } : {}) }, extras);
    } catch (error) {
      history.add(failedRecord(`failed-${timestamp()}`, spec, (error as Error).message));
      throw error;
    } finally {
      process.off('SIGINT', stopOnInterrupt);
      await trainer.close();
    }
    await writeFileAtomic(join(out, 'report.json'), JSON.stringify(result, null, 2));
    history.add(toRecord(result));
    const { evaluation } = result;
    print(json, result, () =>
      [
        `accuracy = ${formatAccuracy(evaluation.accuracy)}  (loss ${evaluation.loss.toFixed(4)})`,
        crosstab(evaluation.confusionMatrix),
        '',
        perClassTable(evaluation.perClass),
        '',
        `${evaluation.misclassified.length} test images misread; trained ${result.epochsCompleted} epoch(s) in ${result.durationSeconds.toFixed(1)}s${result.stopped ? ' (stopped early)' : ''}`,
        `Saved the model and report.json to ${out}`,
      ].join('\n'),
    );
  },
};
