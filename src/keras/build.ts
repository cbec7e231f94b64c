// A Keras model file's layers and weights built as a TensorFlow.js model, its input scale
// chosen by reading the first test images both ways.
import * as tf from '@tensorflow/tfjs';
import { ModelFileError } from '../files/model-json';
import { NUM_CLASSES } from '../shared/model-spec';
import { KerasConfigError, type KerasLayer } from './layers';
import { tfjsTopology } from './tfjs-topology';
import type { Weight } from './weights';
import { scaleGates } from './gates';

export interface KerasModel {
  model: tf.LayersModel;
  inputShape: number[];
  /** 1 for 0–1 pixels, 255 for a model trained on raw 0–255 */
  inputScale: number;
  notes: string[];
}

export interface KerasParts {
  keras3: boolean;
  name: string;
  layers: KerasLayer[];
  weights: Map<string, Weight[]>;
}

const shapeText = (shapes: number[][]) => shapes.map((s) => `[${s.join(', ')}]`).join(', ') || 'none';

async function build(parts: KerasParts, file: string, inputScale: number): Promise<KerasModel> {
  let topology;
  try {
    topology = tfjsTopology(parts.layers, parts.keras3, parts.name.replace(/[^\w.-]/g, '_') || 'keras_model', inputScale);
  } catch (error) {
    if (error instanceof KerasConfigError) throw new ModelFileError(file, error.message);
    throw error;
  }
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: topology.modelTopology as tf.io.ModelArtifacts['modelTopology'] } as tf.io.ModelJSON);
  } catch (error) {
    throw new ModelFileError(file, `TensorFlow.js cannot build it: ${(error as Error).message}`);
  }
  try {
    for (const { layer, tfjsName, gateScale } of topology.weighted) {
      const target = model.getLayer(tfjsName);
      const expected = target.weights.map((w) => w.shape as number[]);
      const found = parts.weights.get(layer.name) ?? [];
      if (found.length !== expected.length || found.some((w, i) => w.shape.join() !== expected[i].join())) {
        throw new ModelFileError(
          file,
          `the weights do not match the config: layer '${layer.name}' (${layer.className}) needs weights of shapes ${shapeText(expected)}, the file has ${shapeText(found.map((w) => w.shape))}`,
        );
      }
      const bad = found.find((w) => !w.values.every(Number.isFinite));
      if (bad) throw new ModelFileError(file, `weight ${bad.name} of layer '${layer.name}' holds NaN or infinite values`);
      const units = Number(layer.config.units);
      const tensors = found.map((w) => tf.tensor(gateScale === 1 ? w.values : scaleGates(layer.className, w.shape, w.values, units, gateScale), w.shape));
      target.setWeights(tensors);
      tf.dispose(tensors);
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  const output = model.outputs[0].shape.slice(1);
  if (output.length !== 1 || output[0] !== NUM_CLASSES) {
    model.dispose();
    throw new ModelFileError(file, `it gives ${output.length === 1 ? output[0] : `[${output.join(', ')}]`} outputs; the lab needs ${NUM_CLASSES}, one per digit`);
  }
  return { model, inputShape: topology.inputShape, inputScale, notes: topology.notes };
}

/** Share of `images` (0–1 pixels, flat 784 each) the model reads right; data(), which webgpu can read outside a browser. */
async function accuracy(model: tf.LayersModel, inputShape: number[], images: Float32Array, labels: ArrayLike<number>, count: number): Promise<number> {
  const classes = tf.tidy(() => (model.predict(tf.tensor(images.subarray(0, count * 784), [count, ...inputShape])) as tf.Tensor).argMax(-1));
  const predicted = await classes.data();
  classes.dispose();
  let right = 0;
  for (let i = 0; i < count; i++) if (predicted[i] === labels[i]) right++;
  return right / count;
}

const RAW_MARGIN = 0.05;
/** Test images a Keras model reads at both input scales, to choose one. */
const SCALE_PROBE_IMAGES = 1000;

export interface ScaleProbe {
  images: Float32Array;
  labels: ArrayLike<number>;
  count: number;
}

/** The first test images, for choosing a model's input scale. */
export function scaleProbe(test: { images: Float32Array; labels: ArrayLike<number> }): ScaleProbe {
  return { images: test.images, labels: test.labels, count: SCALE_PROBE_IMAGES };
}

/**
 * Builds the model; with a probe (the first test images), also reads them as raw 0–255
 * pixels and keeps that scale if it reads more of them right.
 */
export async function buildKerasModel(parts: KerasParts, file: string, probe?: ScaleProbe): Promise<KerasModel> {
  const unit = await build(parts, file, 1);
  if (!probe) return unit;
  const raw = await build(parts, file, 255);
  const unitAccuracy = await accuracy(unit.model, unit.inputShape, probe.images, probe.labels, probe.count);
  const rawAccuracy = await accuracy(raw.model, raw.inputShape, probe.images, probe.labels, probe.count);
  // Raw pixels must win clearly: a model for 0–1 pixels can read a few more raw ones by chance.
  const [kept, dropped] = rawAccuracy > unitAccuracy + RAW_MARGIN ? [raw, unit] : [unit, raw];
  dropped.model.dispose();
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
  kept.notes.push(
    kept === raw
      ? `input scale: raw 0–255 pixels (${percent(rawAccuracy)} of the first ${probe.count} test images read right, against ${percent(unitAccuracy)} as 0–1)`
      : `input scale: 0–1 pixels (x/255) (${percent(unitAccuracy)} of the first ${probe.count} test images read right, against ${percent(rawAccuracy)} as raw 0–255)`,
  );
  return kept;
}
