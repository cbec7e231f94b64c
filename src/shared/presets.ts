// The seeds' experiments (the Keras tutorials' models): starting points the user edits, not a fixed menu.
import type { LayerSpec, ModelSpec } from './model-spec';

export interface Preset {
  id: string;
  title: string;
  /** which seed tutorial it comes from */
  seed: string;
  /** the test accuracy the seed reports, where it ran the model */
  seedAccuracy?: number;
  spec: ModelSpec;
}

const SPLIT_02 = { kind: 'split', fraction: 0.2 } as const;
/** What the seeds use unless they say otherwise. */
const SEED_DEFAULTS = { optimizer: 'adam', learningRate: 0.001, epochs: 10, batchSize: 128, validation: { kind: 'none' } } as const;

function preset(
  id: string,
  title: string,
  seed: string,
  input: ModelSpec['input'],
  layers: LayerSpec[],
  settings: Partial<Omit<ModelSpec, 'name' | 'input' | 'layers'>> = {},
  seedAccuracy?: number,
): Preset {
  return { id, title, seed, seedAccuracy, spec: { name: id, input, layers, ...SEED_DEFAULTS, ...settings } };
}

const dense = (units: number, activation?: 'relu' | 'softmax', kernelInitializer?: 'randomNormal'): LayerSpec => ({
  type: 'Dense',
  units,
  ...(activation ? { activation } : {}),
  ...(kernelInitializer ? { kernelInitializer } : {}),
});
const SOFTMAX: LayerSpec = { type: 'Activation', activation: 'softmax' };

function cnn(secondFilters: number): LayerSpec[] {
  return [
    { type: 'Conv2D', filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Conv2D', filters: secondFilters, kernelSize: 5, padding: 'same', activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Dropout', rate: 0.25 },
    { type: 'Flatten' },
    { type: 'Dense', units: 128, activation: 'relu' },
    { type: 'Dropout', rate: 0.5 },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ];
}

export const PRESETS: readonly Preset[] = [
  preset('mlp-16-16', 'MLP 16-16 (two small hidden layers)', '000/001', 'flat', [dense(16, 'relu'), dense(16, 'relu'), dense(10, 'softmax')], {
    validation: SPLIT_02,
  }),
  preset('mlp-50-sgd', 'MLP 50, linear, SGD', '000/001', 'flat', [dense(50), dense(10), SOFTMAX], { optimizer: 'sgd', learningRate: 0.01 }, 0.9122),
  preset('mlp-512', 'MLP 512, RMSprop (Keras book)', '002', 'flat', [dense(512, 'relu'), dense(10, 'softmax')], {
    optimizer: 'rmsprop',
    epochs: 20,
    validation: { kind: 'test' },
  }),
  preset('mlp-256', 'MLP 256, normal init', '004', 'flat', [dense(256, 'relu', 'randomNormal'), dense(10, 'softmax', 'randomNormal')], { validation: SPLIT_02 }, 0.9787),
  preset(
    'mlp-256-dropout',
    'MLP 256-256 with Dropout',
    '004',
    'flat',
    [dense(256, 'relu', 'randomNormal'), { type: 'Dropout', rate: 0.5 }, dense(256, 'relu', 'randomNormal'), dense(10, 'softmax', 'randomNormal')],
    { validation: SPLIT_02 },
  ),
  preset('cnn-16-16', 'CNN 16-16', '001', 'image', cnn(16), { batchSize: 300, validation: SPLIT_02 }, 0.9902),
  preset('cnn-16-36', 'CNN 16-36 (tuned)', '001', 'image', cnn(36), { batchSize: 300, validation: SPLIT_02 }, 0.9918),
  preset('lstm-50-sgd', 'LSTM 50, SGD', '001', 'sequence', [{ type: 'LSTM', units: 50 }, dense(10), SOFTMAX], { optimizer: 'sgd', learningRate: 0.01 }, 0.8271),
  preset('lstm-128', 'LSTM 128, Adam (tuned)', '001', 'sequence', [{ type: 'LSTM', units: 128 }, dense(10), SOFTMAX], {}, 0.9838),
  preset('rnn-128', 'SimpleRNN 128', '001', 'sequence', [{ type: 'SimpleRNN', units: 128 }, dense(10, 'softmax')]),
  preset('gru-128', 'GRU 128', '001', 'sequence', [{ type: 'GRU', units: 128 }, dense(10, 'softmax')]),
];

export const PRESET_IDS = PRESETS.map((preset) => preset.id);

/** A fresh, editable copy of a preset's description; an unknown id is an error listing the known ones. */
export function presetSpec(id: string): ModelSpec {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`unknown preset "${id}"; the presets are: ${PRESET_IDS.join(', ')}`);
  return structuredClone(preset.spec);
}
