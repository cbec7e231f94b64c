"""Builds small MNIST models with real Keras 3 and saves them in each format the lab opens.

Usage: python make-fixtures.py DATA_DIR OUT_DIR
DATA_DIR holds MNIST as the lab reads it: train.f32 / train.u8 (images 0-1, labels) and
test.f32 / test.u8. Each model is trained briefly, saved, and its accuracy on the first
2,000 test images (at the input scale it was trained on) is written to OUT_DIR/expected.json.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

data_dir, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
keras.utils.set_random_seed(1)


def split(name):
    x = np.fromfile(os.path.join(data_dir, f"{name}.f32"), dtype=np.float32).reshape(-1, 28, 28, 1)
    y = np.fromfile(os.path.join(data_dir, f"{name}.u8"), dtype=np.uint8)
    return x, y


x_train, y_train = split("train")
x_test, y_test = split("test")
expected = {}


def fit(model, shape, scale=1.0, logits=False):
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=logits)
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    model.fit(x_train.reshape((-1, *shape)) * scale, y_train, epochs=1, batch_size=64, verbose=0)
    predicted = model.predict(x_test[:2000].reshape((-1, *shape)) * scale, verbose=0).argmax(-1)
    return float((predicted == y_test[:2000]).mean())


def save(model, file, accuracy, **notes):
    path = os.path.join(out, file)
    model.save(path)
    expected[file] = {"accuracy": accuracy, **notes}


# Keras 3 .keras: a CNN with augmentation that does nothing at inference, in a nested Sequential.
cnn = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.Sequential([layers.RandomRotation(0.02), layers.RandomZoom(0.05)], name="augment"),
    layers.Conv2D(8, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dropout(0.2),
    layers.Dense(10, activation="softmax"),
], name="cnn")
save(cnn, "cnn.keras", fit(cnn, (28, 28, 1)), skipped="RandomRotation")

# Keras 3 legacy .h5: BatchNormalization, and logits (no softmax) at the end.
mlp = keras.Sequential([
    keras.Input((784,)),
    layers.Dense(64, activation="relu"),
    layers.BatchNormalization(),
    layers.Dropout(0.2),
    layers.Dense(10),
], name="mlp_bn")
save(mlp, "mlp_bn.h5", fit(mlp, (784,), logits=True), logits=True)

# A functional chain, saved as .keras.
inputs = keras.Input((784,))
hidden = layers.Dense(32, activation="relu")(inputs)
outputs = layers.Dense(10, activation="softmax")(hidden)
functional = keras.Model(inputs, outputs, name="functional_mlp")
save(functional, "functional.keras", fit(functional, (784,)))

# An LSTM with Keras 3's hard_sigmoid gates, on 28 steps of 28 pixels.
lstm = keras.Sequential([
    keras.Input((28, 28)),
    layers.LSTM(16, recurrent_activation="hard_sigmoid"),
    layers.Dense(10, activation="softmax"),
], name="lstm_hard_sigmoid")
save(lstm, "lstm.keras", fit(lstm, (28, 28)))

# Trained on raw 0-255 pixels behind a Rescaling layer.
raw = keras.Sequential([
    keras.Input((28, 28, 1)),
    layers.Rescaling(1 / 255),
    layers.Flatten(),
    layers.Dense(32, activation="relu"),
    layers.Dense(10, activation="softmax"),
], name="raw_pixels")
save(raw, "raw.keras", fit(raw, (28, 28, 1), scale=255.0), scale=255)

# Refusals: a Lambda layer, seven outputs, and weights that do not match the config.
lam = keras.Sequential([keras.Input((784,)), layers.Lambda(lambda t: t * 2), layers.Dense(10, activation="softmax")], name="with_lambda")
lam.save(os.path.join(out, "lambda.keras"))
seven = keras.Sequential([keras.Input((784,)), layers.Dense(7, activation="softmax")], name="seven")
seven.save(os.path.join(out, "seven.h5"))
mismatch = os.path.join(out, "mismatch.h5")
keras.Sequential([keras.Input((784,)), layers.Dense(16, activation="relu"), layers.Dense(10, activation="softmax")], name="mismatch").save(mismatch)
with h5py.File(mismatch, "r+") as f:
    config = json.loads(f.attrs["model_config"])
    config["config"]["layers"][1]["config"]["units"] = 32
    f.attrs["model_config"] = json.dumps(config)

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
