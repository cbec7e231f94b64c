// Written by scripts/keras-reference.ts: the test accuracy, in real Keras, of the presets the seeds
// never ran, trained with the seeds' settings and Keras 2.2's defaults (resources/keras_lab.py).
export interface KerasReference {
  accuracy: number;
  keras: string;
  backend: string;
  seed: number;
  measuredOn: string;
}

export const KERAS_REFERENCE_COMMAND = 'DIGIT_LAB_PYTHON=.venv/bin/python node --import tsx scripts/keras-reference.ts [preset…]';

/** preset id → its accuracy in Keras */
export const KERAS_REFERENCE: Record<string, KerasReference> = {
  'mlp-16-16': { accuracy: 0.9465, keras: '3.15.1', backend: 'jax', seed: 1, measuredOn: '2026-11-30' },
  'mlp-256-dropout': { accuracy: 0.9794, keras: '3.15.1', backend: 'jax', seed: 1, measuredOn: '2026-11-30' },
  'mlp-512': { accuracy: 0.9841, keras: '3.15.1', backend: 'jax', seed: 1, measuredOn: '2026-11-30' },
  'rnn-128': { accuracy: 0.9726, keras: '3.15.1', backend: 'jax', seed: 1, measuredOn: '2026-11-30' },
  'gru-128': { accuracy: 0.9859, keras: '3.15.1', backend: 'jax', seed: 1, measuredOn: '2026-11-30' },
};
