"""The lab's model descriptions (src/shared/model-spec.ts) as real Keras models, with Keras 2.2's
defaults (the seeds' Keras) spelled out where Keras 3 changed them: LSTM and GRU gate with Keras 2's
hard_sigmoid, and GRU applies its reset gate before the recurrent matmul (reset_after=False).
Used by the lab's Keras engine (resources/keras_engine.py), scripts/keras_reference.py and
test/helpers/keras_steps.py. Keras 2's gate is registered by name (digit_lab>keras2_hard_sigmoid),
so a saved .keras file names it and the lab's importer reads it as TF.js's hard_sigmoid.
"""
import keras
from keras import layers, ops

INPUT_SHAPES = {'flat': (784,), 'sequence': (28, 28), 'image': (28, 28, 1)}
# Keras 2's 'normal' is RandomNormal(stddev=0.05), as is Keras 3's 'random_normal'.
INITIALIZERS = {'glorotUniform': 'glorot_uniform', 'randomNormal': 'random_normal', 'heNormal': 'he_normal'}


@keras.saving.register_keras_serializable(package='digit_lab', name='keras2_hard_sigmoid')
def keras2_hard_sigmoid(x):
    # Keras 2's hard_sigmoid, clip(0.2x + 0.5); Keras 3's is relu6(x + 3) / 6.
    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)


def to_layer(spec):
    kind = spec['type']
    if kind == 'Dense':
        return layers.Dense(spec['units'], activation=spec.get('activation', 'linear'),
                            kernel_initializer=INITIALIZERS[spec.get('kernelInitializer', 'glorotUniform')])
    if kind == 'Activation':
        return layers.Activation(spec['activation'])
    if kind == 'Dropout':
        return layers.Dropout(spec['rate'])
    if kind == 'Conv2D':
        return layers.Conv2D(spec['filters'], spec['kernelSize'], strides=spec.get('strides', 1),
                             padding=spec.get('padding', 'valid'), activation=spec.get('activation', 'linear'),
                             kernel_initializer=INITIALIZERS[spec.get('kernelInitializer', 'glorotUniform')])
    if kind == 'MaxPooling2D':
        return layers.MaxPooling2D(spec['poolSize'], strides=spec.get('strides'), padding=spec.get('padding', 'valid'))
    if kind == 'Flatten':
        return layers.Flatten()
    recurrent = dict(units=spec['units'], activation=spec.get('activation', 'tanh'),
                     return_sequences=spec.get('returnSequences', False))
    if kind == 'SimpleRNN':
        return layers.SimpleRNN(**recurrent)
    if kind == 'LSTM':
        return layers.LSTM(**recurrent, recurrent_activation=keras2_hard_sigmoid, unit_forget_bias=True)
    if kind == 'GRU':
        return layers.GRU(**recurrent, recurrent_activation=keras2_hard_sigmoid, reset_after=False)
    raise ValueError(f'unknown layer type {kind!r}')


def optimizer(name, learning_rate):
    # Keras's own defaults for everything but the rate (Keras 3's equal Keras 2.2's here).
    if name == 'sgd':
        return keras.optimizers.SGD(learning_rate)
    if name == 'adam':
        return keras.optimizers.Adam(learning_rate)
    if name == 'rmsprop':
        return keras.optimizers.RMSprop(learning_rate)
    raise ValueError(f'unknown optimizer {name!r}')


def build(spec):
    """A compiled keras.Sequential for a lab model description."""
    model = keras.Sequential([keras.Input(INPUT_SHAPES[spec['input']])] + [to_layer(l) for l in spec['layers']])
    model.compile(optimizer=optimizer(spec['optimizer'], spec['learningRate']), loss='categorical_crossentropy', metrics=['accuracy'])
    return model
