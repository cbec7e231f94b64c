// Augmentation on real MNIST: each image moved, turned, zoomed and re-stroked within its ranges,
// repeatably by seed, and a model trained with it reads digits that are off-centre.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Mnist } from '../src/data/mnist';
import { seededUniform } from '../src/models/random';
import { DEFAULT_AUGMENTATION, parseAugmentation, type Augmentation } from '../src/shared/augment';
import { presetSpec } from '../src/shared/presets';
import type { EngineReport } from '../src/shared/training';
import { Augmenter } from '../src/training/augment';
import { AUGMENT_SEED, AugmentFeed } from '../src/training/augment-feed';
import { BatchMaker, shuffledOrder, slice } from '../src/training/batches';
import { fit } from '../src/training/fit';
import { centerOfMass } from './helpers/digits';
import { wasmAndMnist } from './helpers/wasm-lab';

const PIXELS = 784;
let data: Mnist;
let engine: EngineReport;
before(async () => {
  ({ engine, data } = await wasmAndMnist());
});

function augmented(augmentation: Augmentation, seed: number, count = 200): Float32Array {
  const x = data.train.images.slice(0, count * PIXELS);
  new Augmenter(augmentation, seededUniform(seed)).apply(x, count);
  return x;
}

const none: Augmentation = { rotation: 0, translation: 0, zoom: 0, thickness: 0 };
const mass = (image: Float32Array) => image.reduce((a, b) => a + b, 0);

test('no range leaves every image as it was; the same seed gives the same batch, another seed another', () => {
  assert.deepEqual(augmented(none, 1), data.train.images.slice(0, 200 * PIXELS));
  assert.deepEqual(augmented(DEFAULT_AUGMENTATION, 1), augmented(DEFAULT_AUGMENTATION, 1));
  assert.notDeepEqual(augmented(DEFAULT_AUGMENTATION, 1), augmented(DEFAULT_AUGMENTATION, 2));
});

test('each range moves the digits within its bounds', () => {
  const count = 200;
  const images = (x: Float32Array) => Array.from({ length: count }, (_, i) => x.subarray(i * PIXELS, (i + 1) * PIXELS));
  const original = images(data.train.images.slice(0, count * PIXELS));
  // translation 0.1: the centre of mass moves by up to 2.8 pixels each way, and does move
  const moved = images(augmented({ ...none, translation: 0.1 }, 3));
  let farthest = 0;
  moved.forEach((image, i) => {
    const a = centerOfMass(original[i]);
    const b = centerOfMass(image);
    const d = Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y));
    assert.ok(d <= 2.8 + 0.3, `image ${i} moved ${d} pixels`);
    farthest = Math.max(farthest, d);
  });
  assert.ok(farthest > 2, `the farthest move was ${farthest} pixels`);
  // zoom 0.2: the ink's area scales by (1 ± 0.2)², about
  images(augmented({ ...none, zoom: 0.2 }, 4)).forEach((image, i) => {
    const ratio = mass(image) / mass(original[i]);
    assert.ok(ratio > 0.8 ** 2 * 0.9 && ratio < 1.2 ** 2 * 1.1, `image ${i}: ink ×${ratio}`);
  });
  // thickness 1: strokes gain or lose ink, bounded by a full dilation or erosion
  const thick = images(augmented({ ...none, thickness: 1 }, 5)).map((image, i) => mass(image) / mass(original[i]));
  assert.ok(Math.min(...thick) < 0.8 && Math.max(...thick) > 1.3, `ink ×${Math.min(...thick)} to ×${Math.max(...thick)}`);
  // rotation 0.25 (a quarter turn each way) keeps the ink, bar what leaves the corners
  images(augmented({ ...none, rotation: 0.25 }, 6)).forEach((image, i) => assert.ok(Math.abs(mass(image) / mass(original[i]) - 1) < 0.1, `image ${i}`));
  for (const image of images(augmented(DEFAULT_AUGMENTATION, 7))) assert.ok(image.every((v) => v >= 0 && v <= 1 + 1e-6));
});

test('ranges: parsed over the defaults, and a bad one is named', () => {
  assert.deepEqual(parseAugmentation('rotation=0.1, zoom=0'), { ...DEFAULT_AUGMENTATION, rotation: 0.1, zoom: 0 });
  assert.throws(() => parseAugmentation('spin=1'), /augmentation has no range "spin"; the ranges are rotation, translation, zoom, thickness/);
  assert.throws(() => parseAugmentation('zoom=2'), /augmentation zoom must be from 0 to 0.5, got 2/);
  assert.throws(() => parseAugmentation('zoom'), /augmentation "zoom" must be name=number/);
  const spec = { ...presetSpec('mlp-256'), augmentation: { ...DEFAULT_AUGMENTATION, translation: -1 } };
  return assert.rejects(fit({ spec, limit: 100 }, data, { runId: 'bad', engine, emit: () => {} }), /augmentation translation must be from 0 to 0.5, got -1/);
});

/** MNIST test digits shifted 3 pixels (alternately down-right and up-left): digits not centred as MNIST's. */
function offCentreTest(count: number): Mnist['test'] {
  const images = new Float32Array(count * PIXELS);
  for (let i = 0; i < count; i++) {
    const d = i % 2 === 0 ? 3 : -3;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const sx = x - d;
        const sy = y - d;
        if (sx >= 0 && sy >= 0 && sx < 28 && sy < 28) images[i * PIXELS + y * 28 + x] = data.test.images[i * PIXELS + sy * 28 + sx];
      }
    }
  }
  return { count, images, pixels: Uint8Array.from(images, (v) => Math.round(v * 255)), labels: data.test.labels.slice(0, count) };
}

test('the augment feed makes, one step ahead on its own thread, exactly the batches one thread would, epoch after epoch', async () => {
  const examples = slice(data.train, 0, 1000);
  const batchSize = 128;
  const feed = AugmentFeed.start(examples, batchSize, [PIXELS], DEFAULT_AUGMENTATION, 5);
  const maker = new BatchMaker(examples, batchSize, [PIXELS]);
  const alone = new Augmenter(DEFAULT_AUGMENTATION, seededUniform(5 ^ AUGMENT_SEED));
  const shuffle = seededUniform(9);
  try {
    for (let epoch = 0; epoch < 2; epoch++) {
      const order = shuffledOrder(examples.count, shuffle);
      for (let b = 0; b < maker.batches(); b++) {
        const got = await feed.take(order, b);
        const want = maker.fill(order, b);
        alone.apply(want.x, want.size);
        assert.equal(got.size, want.size);
        assert.deepEqual(got.y, want.y, `epoch ${epoch} batch ${b}: labels`);
        assert.deepEqual(got.x, want.x, `epoch ${epoch} batch ${b}: images`);
        assert.ok(mass(got.x) > 0);
      }
    }
  } finally {
    await feed.dispose();
  }
});

test('mlp-256 trained with augmentation reads off-centre digits far better, and a seeded run repeats exactly', async () => {
  const shifted = { ...data, test: offCentreTest(2000) };
  const spec = { ...presetSpec('mlp-256'), epochs: 2, validation: { kind: 'none' } as const };
  const train = (augmentation: Augmentation | undefined) =>
    fit({ spec: { ...spec, ...(augmentation ? { augmentation } : {}) }, limit: 6000, seed: 1 }, shifted, { runId: 'aug', engine, emit: () => {} });
  const plain = await train(undefined);
  const withAugmentation = await train(DEFAULT_AUGMENTATION);
  const again = await train(DEFAULT_AUGMENTATION);
  assert.deepEqual(again.history.loss, withAugmentation.history.loss);
  assert.equal(again.evaluation.accuracy, withAugmentation.evaluation.accuracy);
  assert.ok(
    withAugmentation.evaluation.accuracy > plain.evaluation.accuracy + 0.15,
    `off-centre digits read: ${withAugmentation.evaluation.accuracy} with augmentation, ${plain.evaluation.accuracy} without`,
  );
});
