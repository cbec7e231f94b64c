// The seeds' experiments (SPEC §2): starting points the user edits, not a fixed menu.
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
const NONE = { kind: 'none' } as const;

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
  {
    id: 'mlp-16-16',
    title: 'MLP 16-16 (two small hidden layers)',
    seed: '000/001',
    spec: {
      name: 'mlp-16-16',
      input: 'flat',
      layers: [
        { type: 'Dense', units: 16, activation: 'relu' },
        { type: 'Dense', units: 16, activation: 'relu' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 10,
      batchSize: 128,
      validation: SPLIT_02,
    },
  },
  {
    id: 'mlp-50-sgd',
    title: 'MLP 50, linear, SGD',
    seed: '000/001',
    seedAccuracy: 0.9122,
    spec: {
      name: 'mlp-50-sgd',
      input: 'flat',
      layers: [
        { type: 'Dense', units: 50 },
        { type: 'Dense', units: 10 },
        { type: 'Activation', activation: 'softmax' },
      ],
      optimizer: 'sgd',
      learningRate: 0.01,
      epochs: 10,
      batchSize: 128,
      validation: NONE,
    },
  },
  {
    id: 'mlp-512',
    title: 'MLP 512, RMSprop (Keras book)',
    seed: '002',
    spec: {
      name: 'mlp-512',
      input: 'flat',
      layers: [
        { type: 'Dense', units: 512, activation: 'relu' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
      optimizer: 'rmsprop',
      learningRate: 0.001,
      epochs: 20,
      batchSize: 128,
      validation: { kind: 'test' },
    },
  },
  {
    id: 'mlp-256',
    title: 'MLP 256, normal init',
    seed: '004',
    seedAccuracy: 0.9787,
    spec: {
      name: 'mlp-256',
      input: 'flat',
      layers: [
        { type: 'Dense', units: 256, activation: 'relu', kernelInitializer: 'randomNormal' },
        { type: 'Dense', units: 10, activation: 'softmax', kernelInitializer: 'randomNormal' },
      ],
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 10,
      batchSize: 128,
      validation: SPLIT_02,
    },
  },
  {
    id: 'mlp-256-dropout',
    title: 'MLP 256-256 with Dropout',
    seed: '004',
    spec: {
      name: 'mlp-256-dropout',
      input: 'flat',
      layers: [
        { type: 'Dense', units: 256, activation: 'relu', kernelInitializer: 'randomNormal' },
        { type: 'Dropout', rate: 0.5 },
        { type: 'Dense', units: 256, activation: 'relu', kernelInitializer: 'randomNormal' },
        { type: 'Dense', units: 10, activation: 'softmax', kernelInitializer: 'randomNormal' },
      ],
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 10,
      batchSize: 128,
      validation: SPLIT_02,
    },
  },
  {
    id: 'cnn-16-16',
    title: 'CNN 16-16',
    seed: '001',
    seedAccuracy: 0.9902,
    spec: {
      name: 'cnn-16-16',
      input: 'image',
      layers: cnn(16),
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 10,
      batchSize: 300,
      validation: SPLIT_02,
    },
  },
  {
    id: 'cnn-16-36',
    title: 'CNN 16-36 (tuned)',
    seed: '001',
    seedAccuracy: 0.9918,
    spec: {
      name: 'cnn-16-36',
      input: 'image',
      layers: cnn(36),
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 10,
      batchSize: 300,
      validation: SPLIT_02,
    },
  },
  {
    id: 'lstm-50-sgd',
    title: 'LSTM 50, SGD',
    seed: '001',
    seedAccuracy: 0.8271,
    spec: {
      name: 'lstm-50-sgd',
      input: 'sequence',
      layers: [
        { type: 'LSTM', units: 50 },
        { type: 'Dense', units: 10 },
        { type: 'Activation', activation: 'softmax' },
      ],
      optimizer: 'sgd',
      learningRate: 0.01,
      epochs: 10,
      batchSize: 128,
      validation: NONE,
    },
  },
  {
    id: 'lstm-128',
    title: 'LSTM 128, Adam (tuned)',
    seed: '001',
    seedAccuracy: 0.9838,
    spec: {
      name: 'lstm-128',
      input: 'sequence',
      layers: [
        { type: 'LSTM', units: 128 },
        { type: 'Dense', units: 10 },
        { type: 'Activation', activation: 'softmax' },
      ],
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 10,
      batchSize: 128,
      validation: NONE,
    },
  },
  {
    id: 'rnn-128',
    title: 'SimpleRNN 128',
    seed: '001',
    spec: {
      name: 'rnn-128',
      input: 'sequence',
      layers: [
        { type: 'SimpleRNN', units: 128 },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 10,
      batchSize: 128,
      validation: NONE,
    },
  },
  {
    id: 'gru-128',
    title: 'GRU 128',
    seed: '001',
    spec: {
      name: 'gru-128',
      input: 'sequence',
      layers: [
        { type: 'GRU', units: 128 },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 10,
      batchSize: 128,
      validation: NONE,
    },
  },
];

export const PRESET_IDS = PRESETS.map((preset) => preset.id);

/** A fresh, editable copy of a preset's description; an unknown id is an error listing the known ones. */
export function presetSpec(id: string): ModelSpec {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`unknown preset "${id}"; the presets are: ${PRESET_IDS.join(', ')}`);
  return structuredClone(preset.spec);
}
