// One batch's gradients the way LayersModel.trainOnBatch computes them (its compiled loss,
// mean over the batch, plus regularizer penalties; its first metric), split from applying
// them so that replicas can each compute a part of a batch and one of them apply the mean.
import * as tf from '@tensorflow/tfjs';

type LossOrMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** tfjs-layers keeps these public on the compiled model; a Sequential wraps that model. */
interface Compiled {
  lossFunctions?: LossOrMetric[];
  metricsTensors?: Array<[LossOrMetric, number]>;
  model?: Compiled;
}

export interface BatchGradients {
  /** one per trainable weight, in model.trainableWeights order; the caller disposes them */
  grads: tf.Tensor[];
  /** mean loss and accuracy over this batch */
  loss: number;
  acc: number;
}

export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

/**
 * Reads the loss and metric back with data(), not dataSync(): the webgpu backend cannot read
 * synchronously outside a browser (it goes through an OffscreenCanvas).
 */
export async function computeGradients(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<BatchGradients> {
  const compiled = model as unknown as Compiled;
  const lossFunctions = compiled.lossFunctions ?? compiled.model?.lossFunctions;
  const metricsTensors = compiled.metricsTensors ?? compiled.model?.metricsTensors;
  if (lossFunctions?.length !== 1 || metricsTensors?.length !== 1) throw new Error('expected a compiled model with one loss and one metric');
  const variables = trainableVariables(model);
  let metric: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const output = model.apply(x, { training: true }) as tf.Tensor;
    metric = tf.keep(tf.mean(metricsTensors[0][0](y, output)));
    let total = tf.mean(lossFunctions[0](y, output)) as tf.Scalar;
    for (const penalty of model.calculateLosses()) total = tf.add(total, penalty);
    return total;
  }, variables);
  const [[loss], [acc]] = await Promise.all([value.data(), (metric as unknown as tf.Tensor).data()]);
  tf.dispose([value, metric as unknown as tf.Tensor]);
  return { grads: variables.map((variable) => grads[variable.name]), loss, acc };
}

/** One optimizer step with gradients in trainableVariables order; disposes them. */
export function applyGradients(model: tf.LayersModel, grads: tf.Tensor[]): void {
  const variables = trainableVariables(model);
  const named: tf.NamedTensorMap = {};
  variables.forEach((variable, i) => (named[variable.name] = grads[i]));
  model.optimizer.applyGradients(named);
  tf.dispose(grads);
}
