"""`digit-lab bench --peers PYTHON`: one row of the same bench in real Keras.

Trains a lab model description on the images the bench wrote (float32 images, then uint8
labels) for one epoch at the description's batch size, and prints one JSON line: samples/s
after the first batch, the first batch's time from the start, peak RSS and one prediction's p95.
Run with KERAS_BACKEND set to tensorflow or jax.
"""
import json
import resource
import sys
import time

started = time.perf_counter()
import numpy as np  # noqa: E402
import keras  # noqa: E402

INITIALIZERS = {'glorotUniform': 'glorot_uniform', 'randomNormal': 'random_normal', 'heNormal': 'he_normal'}
INPUT_SHAPES = {'flat': (784,), 'sequence': (28, 28), 'image': (28, 28, 1)}
PREDICT_WARMUP = 20
PREDICTIONS = 200


def layer(spec):
    kind = spec['type']
    init = INITIALIZERS[spec.get('kernelInitializer', 'glorotUniform')]
    if kind == 'Dense':
        return keras.layers.Dense(spec['units'], activation=spec.get('activation', 'linear'), kernel_initializer=init)
    if kind == 'Activation':
        return keras.layers.Activation(spec['activation'])
    if kind == 'Dropout':
        return keras.layers.Dropout(spec['rate'])
    if kind == 'Conv2D':
        return keras.layers.Conv2D(spec['filters'], spec['kernelSize'], strides=spec.get('strides', 1), padding=spec.get('padding', 'valid'),
                                   activation=spec.get('activation', 'linear'), kernel_initializer=init)
    if kind == 'MaxPooling2D':
        return keras.layers.MaxPooling2D(spec['poolSize'], strides=spec.get('strides'), padding=spec.get('padding', 'valid'))
    if kind == 'Flatten':
        return keras.layers.Flatten()
    if kind in ('SimpleRNN', 'LSTM', 'GRU'):
        return getattr(keras.layers, kind)(spec['units'], activation=spec.get('activation', 'tanh'), return_sequences=spec.get('returnSequences', False))
    raise ValueError(f'layer type {kind} is not one the lab describes')


def main(spec_path, data_path, count):
    spec = json.load(open(spec_path))
    shape = INPUT_SHAPES[spec['input']]
    loading = time.perf_counter()
    raw = np.fromfile(data_path, dtype=np.uint8)
    x = raw[:count * 784 * 4].view(np.float32).reshape((count,) + shape)
    y = keras.utils.to_categorical(raw[count * 784 * 4:], 10)
    data_ready = time.perf_counter() - loading
    model = keras.Sequential([keras.Input(shape)] + [layer(s) for s in spec['layers']])
    optimizer = {'sgd': keras.optimizers.SGD, 'adam': keras.optimizers.Adam, 'rmsprop': keras.optimizers.RMSprop}[spec['optimizer']]
    model.compile(optimizer=optimizer(learning_rate=spec['learningRate']), loss='categorical_crossentropy', metrics=['accuracy'])
    marks = {}

    class FirstBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                marks['first'] = time.perf_counter()

    batch = spec['batchSize']
    model.fit(x, y, batch_size=batch, epochs=1, shuffle=True, verbose=0, callbacks=[FirstBatch()])
    seconds = time.perf_counter() - marks['first']
    timed = count - min(batch, count)
    steps = -(-count // batch) - 1
    times = []
    for i in range(PREDICT_WARMUP + PREDICTIONS):
        one = x[i:i + 1]
        start = time.perf_counter()
        model.predict_on_batch(one)
        if i >= PREDICT_WARMUP:
            times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({
        'samplesPerSecond': timed / seconds,
        'msPerStep': seconds * 1000 / steps,
        'firstBatchSeconds': marks['first'] - started,
        'dataReadySeconds': data_ready,
        'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'predictP95Ms': float(np.percentile(times, 95)),
        'version': f'keras {keras.__version__}',
    }))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
