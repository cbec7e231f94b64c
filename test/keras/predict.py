"""Loads Keras files with real Keras and writes their predictions on the lab's test images.

Usage: python predict.py IMAGES.f32 MODEL... ; writes MODEL.pred.f32 beside each model.
IMAGES.f32 holds 28x28 images as float32 0-1, one after another.
"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

images = np.fromfile(sys.argv[1], dtype=np.float32).reshape(-1, 784)
for path in sys.argv[2:]:
    model = keras.models.load_model(path, compile=False)
    shape = model.input_shape[1:]
    # One call, not predict(): no per-model compilation of a batched loop.
    predictions = np.asarray(model(images.reshape((-1, *shape)), training=False))
    predictions.astype(np.float32).tofile(path + ".pred.f32")
