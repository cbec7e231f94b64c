"""Trains lab presets in real Keras with the seeds' settings and prints their test accuracy.

Reads the presets' descriptions as JSON from stdin (scripts/keras-reference.ts passes them), MNIST
from the IDX folder in argv[1] and the seeds, comma-separated, in argv[2]; trains each preset once
per seed and prints one JSON document. Validation by a split takes the
last part of the training set before shuffling, as Keras's validation_split does; validation on
the test set does not change the weights, so it is skipped.
"""
import json
import os
import sys
import time

import numpy as np
import keras

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'resources'))
from keras_lab import INPUT_SHAPES, build  # noqa: E402


def read_idx(path, offset):
    with open(path, 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def split(folder, name, shape):
    images = read_idx(os.path.join(folder, f'{name}-images-idx3-ubyte'), 16).astype('float32') / 255
    labels = read_idx(os.path.join(folder, f'{name}-labels-idx1-ubyte'), 8)
    return images.reshape((len(labels),) + shape), keras.utils.to_categorical(labels, 10)


def main():
    folder, seeds = sys.argv[1], [int(s) for s in sys.argv[2].split(',')]
    results = []
    for preset, seed in ((p, s) for p in json.load(sys.stdin) for s in seeds):
        spec = preset['spec']
        shape = INPUT_SHAPES[spec['input']]
        x, y = split(folder, 'train', shape)
        x_test, y_test = split(folder, 't10k', shape)
        keras.utils.set_random_seed(seed)
        model = build(spec)
        validation = spec['validation']
        fraction = validation['fraction'] if validation['kind'] == 'split' else 0.0
        started = time.time()
        history = model.fit(x, y, epochs=spec['epochs'], batch_size=spec['batchSize'], validation_split=fraction, verbose=0)
        seconds = time.time() - started
        loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
        results.append({'id': preset['id'], 'seed': seed, 'accuracy': float(accuracy), 'loss': float(loss),
                        'finalTrainLoss': float(history.history['loss'][-1]), 'seconds': round(seconds, 1)})
        print(f"{preset['id']} seed {seed}: {accuracy:.4f} in {seconds:.0f} s", file=sys.stderr)
    print(json.dumps({'keras': keras.__version__, 'backend': keras.backend.backend(), 'results': results}))


if __name__ == '__main__':
    main()
