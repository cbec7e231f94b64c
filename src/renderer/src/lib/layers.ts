// New layers as the Model view adds them: sensible Keras starting values for each type.
import type { InputKind, LayerSpec, LayerType } from '../../../shared/model-spec';

export function newLayer(type: LayerType): LayerSpec {
  switch (type) {
    case 'Dense':
      return { type, units: 64, activation: 'relu' };
    case 'Activation':
      return { type, activation: 'relu' };
    case 'Dropout':
      return { type, rate: 0.25 };
    case 'Conv2D':
      return { type, filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' };
    case 'MaxPooling2D':
      return { type, poolSize: 2 };
    case 'Flatten':
      return { type };
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      return { type, units: 64 };
  }
}

/** The family a model belongs to, as the seeds compare them: MLP, CNN or RNN. */
export function family(input: InputKind): 'MLP' | 'CNN' | 'RNN' {
  return input === 'image' ? 'CNN' : input === 'sequence' ? 'RNN' : 'MLP';
}
