// Written by scripts/keras-reference.ts: the test accuracy, in real Keras, of presets trained with the
// seeds' settings and Keras 2.2's defaults (resources/keras_lab.py), once per seed (keras.utils.set_random_seed).
// A preset the seeds never ran takes the mean as its reference; for a seed preset, the runs show how
// far one run falls from another beside the seed's single printed accuracy.
export interface KerasReference {
  /** the mean test accuracy over the seeds */
  accuracy: number;
  /** each seed's test accuracy, in the order of `seeds` */
  accuracies: number[];
  seeds: number[];
  keras: string;
  backend: string;
  measuredOn: string;
}

export const KERAS_REFERENCE_COMMAND = 'DIGIT_LAB_PYTHON=.venv/bin/python node --import tsx scripts/keras-reference.ts [--seeds 1,2,3] [preset…]';

/** preset id → its accuracy in Keras */
export const KERAS_REFERENCE: Record<string, KerasReference> = {
  'mlp-16-16': { accuracy: 0.9465, accuracies: [0.9465], seeds: [1], keras: '3.15.1', backend: 'jax', measuredOn: '2026-11-30' },
  'mlp-256-dropout': { accuracy: 0.9794, accuracies: [0.9794], seeds: [1], keras: '3.15.1', backend: 'jax', measuredOn: '2026-11-30' },
  'mlp-512': { accuracy: 0.9841, accuracies: [0.9841], seeds: [1], keras: '3.15.1', backend: 'jax', measuredOn: '2026-11-30' },
  'rnn-128': { accuracy: 0.9707, accuracies: [0.9726, 0.972, 0.9712, 0.9709, 0.967], seeds: [1, 2, 3, 4, 5], keras: '3.15.1', backend: 'jax', measuredOn: '2026-11-30' },
  'gru-128': { accuracy: 0.9859, accuracies: [0.9859], seeds: [1], keras: '3.15.1', backend: 'jax', measuredOn: '2026-11-30' },
  'lstm-50-sgd': { accuracy: 0.8416, accuracies: [0.8572, 0.8506, 0.8203, 0.8486, 0.8315], seeds: [1, 2, 3, 4, 5], keras: '3.15.1', backend: 'jax', measuredOn: '2026-11-30' },
};
