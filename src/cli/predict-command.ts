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
import { LABELS_FILE, readLabelledDrawings, type LabelledDrawings } from '../files/drawings';
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

/** Accuracy per top folder of the drawings' paths (`hwd-1000/3-050.png` is in `hwd-1000`; a bare name in `.`). */
function folderScores(files: string[], wrong: Set<string>): { folder: string; count: number; correct: number; accuracy: number }[] {
  const folders = new Map<string, { count: number; correct: number }>();
  for (const file of files) {
    const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : '.';
    const score = folders.get(folder) ?? { count: 0, correct: 0 };
    score.count++;
    if (!wrong.has(file)) score.correct++;
    folders.set(folder, score);
  }
  return [...folders].map(([folder, { count, correct }]) => ({ folder, count, correct, accuracy: correct / count }));
}

/** A model's reading of a folder of labelled drawings: accuracy over every picture, the unreadable counted as misread. */
async function evaluateDrawings(values: Values, loaded: OpenedModel, drawings: LabelledDrawings): Promise<void> {
  const { dir, examples, files, unread } = drawings;
  const evaluation = examples.count > 0 ? await evaluate(loaded.model, examples, loaded.inputShape) : undefined;
  const total = examples.count + unread.length;
  const misread = (evaluation?.misclassified ?? []).map((m) => ({ file: files[m.index], label: m.label, predicted: m.predicted, confidence: m.confidence }));
  const unreadable = unread.map((u) => ({ file: u.file, label: u.label, error: errorDocument(u.error) }));
  const byFolder = folderScores([...files, ...unread.map((u) => u.file)], new Set([...misread, ...unreadable].map((m) => m.file)));
  const matrix = evaluation?.confusionMatrix ?? Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  const correct = matrix.reduce((sum, row, k) => sum + row[k], 0);
  const accuracy = correct / total;
  print(values.json as boolean, { drawings: dir, count: total, read: examples.count, correct, accuracy, byFolder, confusionMatrix: matrix, perClass: evaluation?.perClass ?? [], misread, unreadable }, () =>
    [
      `${dir}: ${total} drawing${total === 1 ? '' : 's'}, ${correct} read right`,
      `accuracy = ${formatAccuracy(accuracy)}`,
      ...(byFolder.length > 1 ? byFolder.map((f) => `  ${f.folder}: ${f.correct} of ${f.count} (${formatAccuracy(f.accuracy)})`) : []),
      crosstab(matrix),
      '',
      ...(evaluation ? [perClassTable(evaluation.perClass), ''] : []),
      ...(misread.length > 0 ? ['misread (most confident first):', ...misread.map((m) => `  ${m.file}: ${m.label} read as ${m.predicted} (${formatAccuracy(m.confidence)})`)] : []),
      ...(unreadable.length > 0 ? [`could not be read (counted as misread):`, ...unreadable.map((u) => `  ${u.error.message}`)] : []),
    ].join('\n').trimEnd(),
  );
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  usage: 'evaluate <model> [--drawings DIR]',
  summary: 'test loss, accuracy, confusion matrix and per-class metrics of a saved model, .keras or .h5',
  help:
    'With --drawings DIR, the model reads a folder of labelled drawings (PNG, JPEG or BMP) instead of the\n' +
    `test set: the labels come from the folder's ${LABELS_FILE} (columns file and label), or else from each\n` +
    "file name's first character (7.png, 3-050.png). A picture that cannot be read counts as misread.\n",
  options: { ...BACKEND_OPTION, drawings: { type: 'string' } },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('evaluate takes one model folder or Keras file');
    if (values.drawings !== undefined && (typeof values.drawings !== 'string' || values.drawings === '')) throw new UsageError('--drawings takes a folder of labelled drawings');
    // the drawings are read first: a wrong folder is told before the model loads
    const drawings = typeof values.drawings === 'string' ? await readLabelledDrawings(values.drawings) : undefined;
    const loaded = await openModel(values, positionals[0]);
    if (drawings) return evaluateDrawings(values, loaded, drawings);
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
