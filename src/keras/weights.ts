// Where each layer's weights sit in the files Keras writes, read in the layer's own order.
import { attrList, isDataset, isGroup, readFloats, type H5File, type H5Group } from './hdf5';
import type { KerasLayer } from './layers';

export interface Weight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export type WeightSource = (layer: KerasLayer) => Weight[];

function vars(file: H5File, path: string): Weight[] {
  const group = file.get(path);
  if (!isGroup(group)) return [];
  return group
    .keys()
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => {
      const dataset = group.get(key);
      if (!isDataset(dataset)) throw new Error(`${path}/${key} is not a dataset`);
      return { name: `${path}/${key}`, ...readFloats(dataset) };
    });
}

/** Keras 3 .keras: layers/<key>/vars/<i>, a recurrent layer's under layers/<key>/cell/vars/<i>. */
export function kerasZipWeights(file: H5File): WeightSource {
  return (layer) => [...vars(file, `${layer.weightsPath}/vars`), ...vars(file, `${layer.weightsPath}/cell/vars`)];
}

/** The legacy HDF5 layout (Keras 2, tf.keras, Keras 3's .h5): each layer group lists its weights in weight_names. */
export function legacyH5Weights(file: H5File): WeightSource {
  const root = file.get('model_weights');
  const weights = isGroup(root) ? root : (file as H5Group);
  return (layer) => {
    const group = weights.get(layer.name);
    if (!isGroup(group)) return [];
    return attrList(group, 'weight_names').map((name) => {
      const dataset = group.get(name);
      if (!isDataset(dataset)) throw new Error(`weight ${name} of layer '${layer.name}' is missing`);
      return { name, ...readFloats(dataset) };
    });
  };
}

/** A TF.js weights manifest: a layer's weights are named …/<layer>/<weight>, with or without the model's name first. */
export function namedWeights(all: Weight[]): WeightSource {
  return (layer) =>
    all.filter((weight) => {
      const parts = weight.name.split('/');
      return parts.slice(0, -1).includes(layer.name);
    });
}
