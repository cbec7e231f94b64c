// The seeds ran Keras 2.2. Wherever TensorFlow.js's default differs from Keras 2.2's, the
// lab sets Keras 2.2's explicitly (src/models/build.ts reads every value from here). The
// defaults of the fields a layer description has (strides, padding, activation, …) are in the
// layer table, layers.ts, which takes its kernel initializer from here.
// Each row cites the Keras 2.2 default it follows and says what tfjs does on its own.

export interface KerasDefault<T> {
  /** what the lab uses */
  value: T;
  /** the Keras 2.2 default, as its signature spells it */
  keras: string;
  /** what tfjs does when the argument is left out */
  tfjs: string;
}

function row<const T>(value: T, keras: string, tfjs: string): KerasDefault<T> {
  return { value, keras, tfjs };
}

export const KERAS_DEFAULTS = {
  kernelInitializer: row('glorotUniform', "Dense/Conv2D/SimpleRNN/LSTM/GRU(kernel_initializer='glorot_uniform')", 'glorotUniform (same)'),
  normalInitializer: row(
    { mean: 0, stddev: 0.05 },
    "kernel_initializer='normal': RandomNormal(mean=0.0, stddev=0.05)",
    'randomNormal: mean 0, stddev 0.05 (same); set explicitly',
  ),
  recurrentInitializer: row({ gain: 1 }, "recurrent_initializer='orthogonal': Orthogonal(gain=1.0)", 'orthogonal, gain 1 (same)'),
  biasInitializer: row('zeros', "bias_initializer='zeros'", 'zeros (same)'),
  recurrentActivation: row(
    'hardSigmoid',
    "LSTM/GRU(recurrent_activation='hard_sigmoid'): clip(0.2·x + 0.5, 0, 1)",
    'hardSigmoid: clip(0.2·x + 0.5, 0, 1) (same; Keras 3 changed both the default, to sigmoid, and hard_sigmoid, to x/6 + 0.5)',
  ),
  unitForgetBias: row(true, 'LSTM(unit_forget_bias=True): the forget gate bias starts at 1', 'unitForgetBias undefined: false, the forget gate bias starts at 0'),
  gruResetAfter: row(false, 'GRU(reset_after=False): reset gate applied before the recurrent matmul, one bias', 'resetAfter false, the only one tfjs has (same; Keras 3 defaults to True)'),
  dropoutNoiseShape: row(null, 'Dropout(noise_shape=None, seed=None)', 'the same'),
  sgd: row(
    { learningRate: 0.01, momentum: 0 },
    'SGD(lr=0.01, momentum=0.0, decay=0.0, nesterov=False)',
    'sgd(learningRate) has no default rate and no momentum (same update)',
  ),
  adam: row(
    { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    'Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None → K.epsilon() = 1e-7, amsgrad=False)',
    "adam: epsilon is the backend's (1e-7 on cpu/wasm, 1e-4 on WebGL's float16), and added to the bias-corrected sqrt(v̂) rather than to sqrt(v): src/models/keras-adam.ts follows Keras",
  ),
  rmsprop: row(
    { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 },
    'RMSprop(lr=0.001, rho=0.9, epsilon=None → K.epsilon() = 1e-7)',
    "rmsprop(lr, decay=0.9, momentum=0, epsilon=backend's): set explicitly. tfjs (like Keras 3) adds epsilon under the square root, Keras 2.2 after it; the steps differ only for gradients below about 1e-3",
  ),
  crossentropyEpsilon: row(1e-7, 'categorical_crossentropy clips predictions to [K.epsilon(), 1 − K.epsilon()], 1e-7', 'the same clip'),
} as const;
