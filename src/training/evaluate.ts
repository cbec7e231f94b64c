// evaluate: loss, accuracy, confusion matrix, per-class metrics and the misclassified digits.
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../shared/model-spec';
import { confusionMatrix, perClassMetrics, type Evaluation, type Misclassified } from '../shared/training';
import { PIXELS, type Examples } from './batches';

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

/** Runs the model over every example in batches and scores it. */
export async function predictAll(model: tf.LayersModel, examples: Examples, inputShape: number[], yieldEvery?: () => Promise<void>): Promise<Predictions> {
  const predicted = new Uint8Array(examples.count);
  const confidence = new Float32Array(examples.count);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < examples.count; start += EVALUATE_BATCH) {
    const size = Math.min(EVALUATE_BATCH, examples.count - start);
    const probabilities = tf.tidy(() => {
      const x = tf.tensor(examples.images.subarray(start * PIXELS, (start + size) * PIXELS), [size, ...inputShape]);
      return model.predict(x) as tf.Tensor;
    });
    const p = (await probabilities.data()) as Float32Array;
    probabilities.dispose();
    for (let i = 0; i < size; i++) {
      const row = p.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
      let best = 0;
      for (let k = 1; k < NUM_CLASSES; k++) if (row[k] > row[best]) best = k;
      const label = examples.labels[start + i];
      predicted[start + i] = best;
      confidence[start + i] = row[best];
      if (best === label) correct++;
      lossSum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, row[label])));
    }
    if (yieldEvery) await yieldEvery();
  }
  return { loss: lossSum / examples.count, accuracy: correct / examples.count, predicted, confidence };
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

export async function evaluate(model: tf.LayersModel, examples: Examples, inputShape: number[], yieldEvery?: () => Promise<void>): Promise<Evaluation> {
  return summarize(examples.labels, await predictAll(model, examples, inputShape, yieldEvery));
}
