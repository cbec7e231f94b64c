import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duration, epochLine, formatLogs, progressLine } from '../src/shared/keras-log';

test('the training log reads as Keras prints it (verbose=1)', () => {
  assert.equal(progressLine(12000, 48000, 9.4, { loss: 0.31234, acc: 0.9101 }), '12000/48000 [======>.......................] - ETA: 9s - loss: 0.3123 - acc: 0.9101');
  assert.equal(progressLine(0, 48000, 95, {}), '    0/48000 [..............................] - ETA: 1:35');
  assert.equal(
    epochLine(48000, 12.2, 30.6, { loss: 0.1, acc: 0.97, val_loss: 0.08, val_acc: 0.975 }),
    '48000/48000 [==============================] - 12s 31ms/step - loss: 0.1000 - acc: 0.9700 - val_loss: 0.0800 - val_acc: 0.9750',
  );
});

test('a diverged loss shows as nan, and an unknown duration as a dash', () => {
  assert.equal(formatLogs({ loss: NaN, acc: 0.1 }), ' - loss: nan - acc: 0.1000');
  assert.equal(duration(Infinity), '–');
  assert.equal(duration(65), '1:05');
});
