// digits.*: My digits, the drawings the user labelled: listed, added, deleted, and read by a saved model.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MyDigitSummary } from '../../shared/contract';
import { confusionMatrix } from '../../shared/training';
import { checkDrawing, MyDigitsError, toExamples, type MyDigit } from '../../files/my-digits';
import { predictAll } from '../../training/evaluate';
import type { LabContext } from '../context';
import { LabError } from '../lab-error';
import type { Handlers } from './handlers';

type DigitsCall = 'digits.list' | 'digits.add' | 'digits.delete' | 'digits.evaluate';

export function digitsCalls(lab: LabContext): Handlers<DigitsCall> {
  return {
    'digits.list': async () => {
      const digits = await lab.myDigits.list();
      const notice = lab.myDigits.damaged;
      return { digits: digits.map(digitSummary), ...(notice ? { notice } : {}) };
    },
    'digits.add': async ({ label, input, png }) => {
      try {
        // the input as MNIST keeps its images: bytes 0–255, read back as bytes / 255
        const pixels = input.map((v) => Math.round(v * 255));
        const drawing = png === undefined ? undefined : checkDrawing(new Uint8Array(Buffer.from(png, 'base64')), 'digits.add.png');
        return digitSummary(await lab.myDigits.add({ label, pixels, png: drawing }));
      } catch (error) {
        if (error instanceof MyDigitsError) throw new LabError('files.refused', { reason: error.message });
        throw error;
      }
    },
    'digits.delete': async ({ id }) => {
      if (!(await lab.myDigits.delete(id))) throw new LabError('digits.unknown', { id });
      return null;
    },
    'digits.evaluate': async ({ model }) => {
      const digits = await lab.myDigits.list();
      if (digits.length === 0) throw new LabError('digits.noneToEvaluate');
      const { runId, loaded } = await lab.loadedModel(model);
      const examples = toExamples(digits);
      const scored = await predictAll(loaded.model, examples, loaded.inputShape, () => nextTurn());
      return {
        runId,
        count: digits.length,
        accuracy: scored.accuracy,
        confusionMatrix: confusionMatrix(examples.labels, scored.predicted),
        predictions: digits.map((d, i) => ({ id: d.id, label: d.label, predicted: scored.predicted[i], confidence: scored.confidence[i] })),
      };
    },
  };
}

function digitSummary(digit: MyDigit): MyDigitSummary {
  return { id: digit.id, label: digit.label, addedAt: digit.addedAt, pixels: Buffer.from(digit.pixels).toString('base64'), hasDrawing: digit.hasDrawing };
}
