// evaluate: loss, accuracy, confusion matrix, per-class metrics and the misclassified digits.
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../shared/model-spec';
import { confusionMatrix, perClassMetrics, type Evaluation, type Misclassified } from '../shared/training';
import type { Examples } from './batches';
import { IMAGE_PIXELS as PIXELS } from '../shared/limits';

const EVALUATE_BATCH = 1000;
/** Keras clips probabilities to [ε, 1-ε] before the log in categorical cross-entropy. */
const EPSILON = 1e-7;

export interface Predictions {
  loss: number;
  accuracy: number;
  predicted: Uint8Array;
  /** the probability of the predicted class */
  confidence: Float32Array;
}

/** Class probabilities ([count, 10] row-major) for `count` images laid end to end. */
export type Predict = (images: Float32Array, count: number, yieldEvery?: () => Promise<void>) => Promise<Float32Array>;

/** The model over the images in batches. */
export async function probabilities(
  model: tf.LayersModel,
  images: Float32Array,
  count: number,
  inputShape: number[],
  yieldEvery?: () => Promise<void>,
): Promise<Float32Array> {
  const out = new Float32Array(count * NUM_CLASSES);
  for (let start = 0; start < count; start += EVALUATE_BATCH) {
    const size = Math.min(EVALUATE_BATCH, count - start);
    const batch = tf.tidy(() => {
      const x = tf.tensor(images.subarray(start * PIXELS, (start + size) * PIXELS), [size, ...inputShape]);
      return model.predict(x) as tf.Tensor;
    });
    out.set((await batch.data()) as Float32Array, start * NUM_CLASSES);
    batch.dispose();
    if (yieldEvery) await yieldEvery();
  }
  return out;
}

export function modelPredict(model: tf.LayersModel, inputShape: number[]): Predict {
  return (images, count, yieldEvery) => probabilities(model, images, count, inputShape, yieldEvery);
}

/** Scores class probabilities against the labels. */
export function score(labels: Uint8Array, p: Float32Array): Predictions {
  const count = labels.length;
  const predicted = new Uint8Array(count);
  const confidence = new Float32Array(count);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const row = p.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    let best = 0;
    for (let k = 1; k < NUM_CLASSES; k++) if (row[k] > row[best]) best = k;
    const label = labels[i];
    predicted[i] = best;
    confidence[i] = row[best];
    if (best === label) correct++;
    lossSum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, row[label])));
  }
  return { loss: lossSum / count, accuracy: correct / count, predicted, confidence };
}

/** Runs the model (or a Predict) over every example and scores it. */
export async function predictAll(
  model: tf.LayersModel | Predict,
  examples: Examples,
  inputShape: number[],
  yieldEvery?: () => Promise<void>,
): Promise<Predictions> {
  const predict = typeof model === 'function' ? model : modelPredict(model, inputShape);
  return score(examples.labels, await predict(examples.images, examples.count, yieldEvery));
}

export function summarize(labels: Uint8Array, predictions: Predictions): Evaluation {
  const matrix = confusionMatrix(labels, predictions.predicted);
  const misclassified: Misclassified[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (predictions.predicted[i] !== labels[i]) {
      misclassified.push({ index: i, label: labels[i], predicted: predictions.predicted[i], confidence: predictions.confidence[i] });
    }
  }
  misclassified.sort((a, b) => b.confidence - a.confidence);
  return {
    loss: predictions.loss,
    accuracy: predictions.accuracy,
    confusionMatrix: matrix,
    perClass: perClassMetrics(matrix),
    misclassified,
  };
}

export async function evaluate(model: tf.LayersModel | Predict, examples: Examples, inputShape: number[], yieldEvery?: () => Promise<void>): Promise<Evaluation> {
  return summarize(examples.labels, await predictAll(model, examples, inputShape, yieldEvery));
}
