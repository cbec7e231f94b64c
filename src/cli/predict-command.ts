import * as tf from '@tensorflow/tfjs';
import { UsageError } from './errors';
import { BACKEND_OPTION, type Command, type Values } from './command';
import { BACKEND_CHOICES } from '../shared/backends';
import { choiceFlag, print } from './output';
import { errorDocument, type ErrorDocument } from './error-codes';
import { crosstab, perClassTable } from './format';
import { initEngine } from '../engine/backend';
import { syncReadChoice } from '../engine/engines';
import { openAnyModel, type OpenedModel } from '../keras/open';
import { readImageFile } from '../files/images';
import { loadMnist } from '../data/mnist';
import { evaluate } from '../training/evaluate';
import { toMnistInput } from '../shared/preprocess';
import { formatAccuracy } from '../shared/training';
import { scaleProbe } from '../keras/build';

/**
 * A saved model, or a Keras .keras/.h5 file, whose input scale is chosen on the first test
 * images; `reading` opens it where single images are read back at once (syncReadChoice).
 */
async function openModel(values: Values, dir: string | undefined, reading = false): Promise<OpenedModel> {
  if (!dir) throw new UsageError('give the folder of a saved model (or its model.json), or a Keras .keras or .h5 file');
  const choice = choiceFlag(values.backend, 'backend', BACKEND_CHOICES) ?? 'auto';
  await initEngine(reading ? syncReadChoice(choice) : choice);
  const opened = await openAnyModel(dir, scaleProbe((await loadMnist()).test));
  for (const note of opened.notes) process.stderr.write(`${note}\n`);
  return opened;
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  usage: 'evaluate <model>',
  summary: 'test loss, accuracy, confusion matrix and per-class metrics of a saved model, .keras or .h5',
  options: { ...BACKEND_OPTION },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('evaluate takes one model folder or Keras file');
    const loaded = await openModel(values, positionals[0]);
    const data = await loadMnist();
    const evaluation = await evaluate(loaded.model, data.test, loaded.inputShape);
    const { loss, accuracy, confusionMatrix, perClass, misclassified } = evaluation;
    if (!Number.isFinite(loss)) throw new Error(`${loaded.dir}: the model's loss on the test set is not finite (${loss}); its weights overflow`);
    print(values.json as boolean, { loss, accuracy, confusionMatrix, perClass, misclassifiedCount: misclassified.length }, () =>
      [
        `loss = ${loss.toFixed(4)}`,
        `accuracy = ${formatAccuracy(accuracy)}`,
        crosstab(confusionMatrix),
        '',
        perClassTable(perClass),
      ].join('\n'),
    );
  },
};

type Reading = { file: string; digit: number; probabilities: number[] } | { file: string; error: ErrorDocument };

function readingText(reading: Reading): string {
  if ('error' in reading) return `${reading.file}: not read (${reading.error.message})`;
  const { file, digit, probabilities } = reading;
  return `${file}: ${digit} (${formatAccuracy(probabilities[digit])})\n  ${probabilities.map((p, k) => `${k}: ${p.toFixed(3)}`).join('  ')}`;
}

export const predictCommand: Command = {
  name: 'predict',
  usage: 'predict <model> <image…>',
  summary: 'read digits from PNG, JPEG or BMP files (Paint-style black on white, or MNIST-style)',
  help: 'Every file gets its digit or its error; the exit status is 1 when any file could not be read.\n',
  options: { ...BACKEND_OPTION },
  async run(values, positionals) {
    const [dir, ...files] = positionals;
    if (files.length === 0) throw new UsageError('predict takes a model folder and at least one image file');
    const loaded = await openModel(values, dir, true);
    const readings: Reading[] = [];
    for (const file of files) {
      try {
        const { input } = toMnistInput(await readImageFile(file), file);
        const probabilities = Array.from(
          tf.tidy(() => (loaded.model.predict(tf.tensor(input, [1, ...loaded.inputShape])) as tf.Tensor).dataSync()),
        );
        if (!probabilities.every(Number.isFinite)) throw new Error(`${file}: the model's output for it is not finite (${probabilities.join(', ')}); its weights overflow`);
        readings.push({ file, digit: probabilities.indexOf(Math.max(...probabilities)), probabilities });
      } catch (error) {
        readings.push({ file, error: errorDocument(error) });
      }
    }
    print(values.json as boolean, readings, () => readings.map(readingText).join('\n'));
    const failed = readings.filter((r) => 'error' in r).length;
    if (failed > 0) {
      for (const r of readings) if ('error' in r) process.stderr.write(`digit-lab: ${r.error.message}\n`);
      process.stderr.write(`digit-lab: ${failed} of ${readings.length} image${readings.length === 1 ? '' : 's'} could not be read\n`);
      process.exitCode = 1;
    }
  },
};
