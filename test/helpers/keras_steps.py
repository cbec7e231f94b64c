"""Real Keras's side of the fidelity test.

For each case folder under argv[1] (written by test/fidelity.test.ts): case.json holds the lab's
model description, the batch size, the number of steps and the shapes of the lab's initial
weights (weight-N.f32, raw little-endian float32); x.f32 and y.f32 hold the batches. Builds the
model as resources/keras_lab.py does (Keras 2.2's defaults), sets the lab's weights,
takes one train_on_batch step per batch and prints {case: [loss per step]} as JSON.
"""
import json
import os
import sys

import numpy as np
import keras

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'resources'))
from keras_lab import INPUT_SHAPES, build  # noqa: E402


def read_f32(path, shape):
    return np.fromfile(path, dtype='<f4').reshape(shape)


def run_case(folder):
    with open(os.path.join(folder, 'case.json')) as f:
        case = json.load(f)
    spec = case['spec']
    model = build(spec)
    shapes = [tuple(w.shape) for w in model.get_weights()]
    lab_shapes = [tuple(s) for s in case['weightShapes']]
    if shapes != lab_shapes:
        raise ValueError(f'weight shapes differ: Keras {shapes}, the lab {lab_shapes}')
    model.set_weights([read_f32(os.path.join(folder, f'weight-{i}.f32'), s) for i, s in enumerate(shapes)])
    steps, batch = case['steps'], case['batchSize']
    x = read_f32(os.path.join(folder, 'x.f32'), (steps, batch) + INPUT_SHAPES[spec['input']])
    y = read_f32(os.path.join(folder, 'y.f32'), (steps, batch, 10))
    # train_on_batch gives the batch's loss before the step, as the lab's trainBatch does
    return [float(np.ravel(model.train_on_batch(x[i], y[i]))[0]) for i in range(steps)]


def main():
    root = sys.argv[1]
    losses = {name: run_case(os.path.join(root, name)) for name in sorted(os.listdir(root))}
    print(json.dumps({'keras': keras.__version__, 'backend': keras.backend.backend(), 'losses': losses}))


if __name__ == '__main__':
    main()
