#!/usr/bin/env bash
# Creates .venv: real Keras (JAX backend), TensorFlow's CPU wheel and h5py, from this
# machine's local wheel index (pip cannot reach the public index here). The tests use it to
# check the lab against real Keras and to link the tfjs-node engine. Safe to run again: it
# only installs what is missing. Prints the venv's python on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${DIGIT_LAB_VENV:-.venv}
PACKAGES=(keras==3.15.1 jax jaxlib h5py tensorflow-cpu==2.21.0)
LINKS=()
for dir in /opt/pypi/files /opt/pypi-more/files /opt/wheels; do
  [ -d "$dir" ] && LINKS+=(--find-links "$dir")
done
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if ! KERAS_BACKEND=jax "$VENV/bin/python" -c 'import keras, jax, h5py, tensorflow' >/dev/null 2>&1; then
  if [ ${#LINKS[@]} -gt 0 ]; then
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-index "${LINKS[@]}" "${PACKAGES[@]}"
  else
    # no local wheel folders: whatever index pip is configured with
    "$VENV/bin/pip" install -q --disable-pip-version-check "${PACKAGES[@]}"
  fi
fi
echo "$(pwd)/$VENV/bin/python"
