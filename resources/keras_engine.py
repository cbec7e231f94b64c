"""The lab's Keras engine: trains a lab model description with the user's own Keras.

The lab starts it with the user's Python and speaks JSON lines with it (src/engine/keras-protocol.ts
is the other half; PROTOCOL below must match its KERAS_PROTOCOL):

  out  {"type": "hello", "protocol", "python", "keras", "backend"}  once Keras and its backend run
  out  {"type": "refused", "code", "detail"}  instead of hello: no Keras, Keras < 3, a backend that fails
  in   {"type": "train", "spec", "seed", "data", "train", "validation", "myDigits", "initWeights", "out"}
  out  {"type": "start" | "epochBegin" | "batch" | "epochEnd" | "paused" | "resumed", ...}  as the
       lab's own training worker emits them (src/shared/training.ts), without runId
  in   {"type": "pause"} / {"type": "resume"} / {"type": "stop"}  at any time during a run
  out  {"type": "saved", "path", "epochsCompleted"}  the trained model, a .keras file (temp name, renamed)
  out  {"type": "failed", "message"}  the run could not go on

With --probe it says hello (or refused) and exits. Anything else Keras or its backend prints goes
to stderr: the protocol has stdout to itself.
"""
import json
import math
import os
import sys
import threading
import time

PROTOCOL = 1
BATCH_EVENTS_PER_SECOND = 10
PIXELS = 784

# The protocol's own copy of stdout; fd 1 then points at stderr for whatever else prints.
_out = os.fdopen(os.dup(1), 'w', buffering=1, encoding='utf-8')
os.dup2(2, 1)
sys.stdout = sys.stderr
_lock = threading.Lock()


def finite(value):
    # JSON has no NaN or infinity: they go as null, which the lab reads as NaN
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


def send(message):
    line = json.dumps(finite(message), allow_nan=False)
    with _lock:
        _out.write(line + '\n')
        _out.flush()


def refuse(code, detail):
    send({'type': 'refused', 'code': code, 'detail': detail})
    sys.exit(3)


def start_keras():
    try:
        import keras
    except Exception as error:  # ImportError, or a backend that raises while Keras imports it
        name = getattr(error, 'name', None)
        if isinstance(error, ModuleNotFoundError) and name == 'keras':
            refuse('missing', f'{type(error).__name__}: {error}')
        refuse('backend', f'{type(error).__name__}: {error}')
    version = getattr(keras, '__version__', '0')
    try:
        major = int(version.split('.')[0])
    except ValueError:
        major = 0
    if major < 3:
        refuse('old', version)
    try:
        backend = keras.backend.backend()
        if backend != 'tensorflow' and 'tensorflow' not in sys.modules:
            # Keras imports TensorFlow, where it is installed, for file paths when it saves (about
            # 10 s on a busy 2-core machine); on another backend it does without.
            sys.modules['tensorflow'] = None
        float(keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.ones((2, 2)))))
    except Exception as error:
        refuse('backend', f'{type(error).__name__}: {error}')
    return keras, version, backend


class Control:
    """pause, resume and stop, read from stdin on their own thread while fit runs."""

    def __init__(self):
        self.running = threading.Event()
        self.running.set()
        self.stopped = False
        self.model = None

    def pause(self):
        self.running.clear()

    def resume(self):
        self.running.set()

    def stop(self):
        self.stopped = True
        if self.model is not None:
            self.model.stop_training = True
        self.running.set()


def read_idx(path, offset, count, width):
    import numpy as np
    with open(path, 'rb') as f:
        f.seek(offset)
        data = f.read(count * width)
    if len(data) != count * width:
        raise ValueError(f'{path} holds fewer than {count} records')
    return np.frombuffer(data, dtype=np.uint8)


def examples(request, keras):
    """The training and validation arrays, as the lab chose them (its rows of its verified files)."""
    import numpy as np
    from keras_lab import INPUT_SHAPES
    shape = INPUT_SHAPES[request['spec']['input']]
    data = request['data']
    rows = request['train']
    needed = max(rows['count'], request['validation']['end'] if request['validation']['kind'] == 'split' else 0)
    images = (read_idx(data['trainImages'], 16, needed, PIXELS).astype(np.float32) / 255.0).reshape((needed, PIXELS))
    labels = read_idx(data['trainLabels'], 8, needed, 1)
    x, y = images[:rows['count']], labels[:rows['count']]
    mine = request.get('myDigits')
    if mine:
        extra_x = np.fromfile(mine['images'], dtype='<f4').reshape((mine['count'], PIXELS))
        extra_y = np.fromfile(mine['labels'], dtype=np.uint8)[:mine['count']]
        x = np.concatenate([x] + [extra_x] * mine['repeat'])
        y = np.concatenate([y] + [extra_y] * mine['repeat'])
    validation = None
    v = request['validation']
    if v['kind'] == 'split':
        validation = (images[v['start']:v['end']], labels[v['start']:v['end']])
    elif v['kind'] == 'test':
        count = 10000
        validation = ((read_idx(data['testImages'], 16, count, PIXELS).astype(np.float32) / 255.0).reshape((count, PIXELS)), read_idx(data['testLabels'], 8, count, 1))
    one_hot = lambda labels: keras.utils.to_categorical(labels, 10)  # noqa: E731
    train = (x.reshape((-1,) + shape), one_hot(y))
    if validation is not None:
        validation = (validation[0].reshape((-1,) + shape), one_hot(validation[1]))
    return train, validation


def train(request, control, keras):
    import numpy as np
    from keras_lab import build
    spec = request['spec']
    if request.get('seed') is not None:
        keras.utils.set_random_seed(request['seed'])
    (x, y), validation = examples(request, keras)
    model = build(spec)
    control.model = model
    init = request.get('initWeights')
    if init:
        flat = np.fromfile(init['path'], dtype='<f4')
        weights, at = [], 0
        for shape in init['shapes']:
            size = int(np.prod(shape))
            weights.append(flat[at:at + size].reshape(shape))
            at += size
        model.set_weights(weights)
    batch_size = spec['batchSize']
    count = len(x)
    batches = -(-count // batch_size)
    epochs = spec['epochs']
    send({'type': 'start', 'trainCount': count, 'validationCount': 0 if validation is None else len(validation[0]), 'batchesPerEpoch': batches})
    state = {'epochsCompleted': 0}

    class Events(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            self.epoch_start = time.perf_counter()
            self.training = 0.0
            self.last_event = 0.0
            self.seen = 0
            send({'type': 'epochBegin', 'epoch': epoch + 1, 'epochs': epochs})

        def on_train_batch_begin(self, batch, logs=None):
            if not control.running.is_set() and not control.stopped:
                paused_at = time.perf_counter()
                send({'type': 'paused'})
                control.running.wait()
                if not control.stopped:
                    send({'type': 'resumed'})
                self.epoch_start += time.perf_counter() - paused_at

        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            # wall time since the epoch began: the backend may still be finishing queued steps
            self.training = now - self.epoch_start
            self.seen = min(count, (batch + 1) * batch_size)
            if now - self.last_event >= 1 / BATCH_EVENTS_PER_SECOND or batch == batches - 1:
                # only here are the logs read: reading them waits for the backend's step, so
                # doing it for every batch would stop the next step being queued behind this one
                logs = logs or {}
                loss, acc = float(logs.get('loss', float('nan'))), float(logs.get('accuracy', float('nan')))
                self.last_event = now
                ms_per_step = self.training * 1000 / (batch + 1)
                send({'type': 'batch', 'epoch': self.epoch + 1, 'batch': batch + 1, 'batches': batches, 'samples': self.seen,
                      'totalSamples': count, 'loss': loss, 'acc': acc, 'msPerStep': ms_per_step,
                      'etaSeconds': (batches - batch - 1) * ms_per_step / 1000})

        def on_epoch_end(self, epoch, logs=None):
            if self.seen < count:
                return  # stopped mid-epoch: that epoch does not count
            logs = logs or {}
            out = {'loss': float(logs['loss']), 'acc': float(logs['accuracy'])}
            if 'val_loss' in logs:
                out['val_loss'] = float(logs['val_loss'])
                out['val_acc'] = float(logs['val_accuracy'])
            state['epochsCompleted'] = epoch + 1
            send({'type': 'epochEnd', 'epoch': epoch + 1, 'epochs': epochs, 'logs': out,
                  'seconds': time.perf_counter() - self.epoch_start, 'msPerStep': self.training * 1000 / batches})

    if not control.stopped:
        model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0, validation_data=validation, callbacks=[Events()])
    out = request['out']
    temp = f'{out}.{os.getpid()}.tmp.keras'
    model.save(temp)
    os.replace(temp, out)
    send({'type': 'saved', 'path': out, 'epochsCompleted': state['epochsCompleted']})


def main():
    keras, version, backend = start_keras()
    send({'type': 'hello', 'protocol': PROTOCOL, 'python': sys.version.split()[0], 'keras': version, 'backend': backend})
    if '--probe' in sys.argv:
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    control = Control()
    requests = []
    ready = threading.Event()

    def read():
        for line in sys.stdin:
            try:
                message = json.loads(line)
            except ValueError:
                send({'type': 'failed', 'message': f'the lab sent a line that is not JSON: {line[:80]!r}'})
                continue
            kind = message.get('type') if isinstance(message, dict) else None
            if kind == 'train':
                requests.append(message)
                ready.set()
            elif kind == 'pause':
                control.pause()
            elif kind == 'resume':
                control.resume()
            elif kind == 'stop':
                control.stop()
            else:
                send({'type': 'failed', 'message': f'the lab sent an unknown message {kind!r}'})
        # the lab closed stdin: it has gone, and nobody would read the model
        os._exit(0)

    threading.Thread(target=read, daemon=True).start()
    ready.wait()
    try:
        train(requests[0], control, keras)
    except Exception as error:
        send({'type': 'failed', 'message': f'{type(error).__name__}: {error}'})
        sys.exit(1)


if __name__ == '__main__':
    main()
