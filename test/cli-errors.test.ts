// The command line when things go wrong: a batch of images where some cannot be read, errors as
// one JSON document with --json, and a model folder whose .json is not named model.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../src/files/images';
import { loadTestDigits, paintStyle } from './helpers/digits';
import { runCli } from './helpers/cli';

let home: string;
let model: string;

const run = (...args: string[]) => runCli(args, home);

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-cli-errors-'));
  model = join(home, 'mlp');
  // a small real model: enough to read a clear digit, quick to train
  const train = await run('train', 'mlp-256', '--epochs', '1', '--limit', '6000', '--validation-split', '0', '--seed', '1', '--backend', 'wasm', '--out', model);
  assert.equal(train.code, 0, train.stderr);
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

test('predict with many images: every file gets its digit or its error, then a non-zero exit', async () => {
  const pixels = await loadTestDigits();
  const good = join(home, 'seven.png');
  await writeFile(good, encodePng(paintStyle(pixels, 0)));
  const blank = join(home, 'blank.png');
  await writeFile(blank, encodePng({ width: 40, height: 40, channels: 1, data: new Uint8Array(1600).fill(255) }));
  const text = join(home, 'notes.png');
  await writeFile(text, 'not an image');
  const missing = join(home, 'missing.png');
  const files = [blank, good, missing, text];

  const result = await run('predict', model, ...files, '--json');
  assert.equal(result.code, 1);
  const readings = JSON.parse(result.stdout) as ({ file: string; digit?: number; error?: { code: string; message: string } })[];
  assert.deepEqual(readings.map((r) => r.file), files);
  assert.deepEqual(readings.map((r) => r.error?.code), ['blank-image', undefined, 'image-file', 'image-file']);
  assert.equal(readings[1].digit, 7);
  assert.equal(readings[0].error?.message, `${blank}: the image is blank (no ink to read)`);
  assert.equal(readings[2].error?.message, `${missing}: no such file`);
  assert.match(readings[3].error?.message ?? '', /notes\.png: is not a PNG, JPEG or BMP image/);
  assert.match(result.stderr, /digit-lab: 3 of 4 images could not be read\n$/);

  const plain = await run('predict', model, missing, good);
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, /missing\.png: not read \(.*no such file\)\n.*seven\.png: 7 \(\d+\.\d+%\)/);
  assert.match(plain.stderr, /^digit-lab: .*missing\.png: no such file\n/);
});

test('with --json, any command that fails prints one JSON error document on stdout, and the message on stderr', async () => {
  const cases: [string[], string, RegExp][] = [
    [['train', 'cnn-99', '--json'], 'error', /^unknown preset "cnn-99"/],
    [['--json', 'frobnicate'], 'usage', /^unknown command/],
    [['train', 'mlp-256', '--epochs', 'zero', '--json'], 'error', /^--epochs must be a whole number/],
    [['evaluate', join(home, 'nowhere'), '--json'], 'model-file', /nowhere\/model\.json: the model file model\.json is missing$/],
    [['summary', '--json'], 'usage', /^summary takes one preset id/],
  ];
  for (const [args, code, message] of cases) {
    const result = await run(...args);
    assert.notEqual(result.code, 0, args.join(' '));
    const document = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    assert.deepEqual(Object.keys(document), ['error'], args.join(' '));
    assert.equal(document.error.code, code, args.join(' '));
    assert.match(document.error.message, message, args.join(' '));
    assert.ok(result.stderr.startsWith(`digit-lab: ${document.error.message}\n`), result.stderr);
  }
});

test('a model folder whose one TF.js model .json is not named model.json loads it; more or none is named in the error', async () => {
  const renamed = join(home, 'converted');
  await mkdir(renamed);
  await copyFile(join(model, 'weights.bin'), join(renamed, 'weights.bin'));
  await copyFile(join(model, 'model.json'), join(renamed, 'my_mnist_model.json'));
  await writeFile(join(renamed, 'labels.json'), JSON.stringify(['zero', 'one']));
  const digit = join(home, 'two.png');
  await writeFile(digit, encodePng(paintStyle(await loadTestDigits(), 1)));
  const [original, converted] = await Promise.all([run('predict', model, digit, '--json'), run('predict', renamed, digit, '--json')]);
  assert.equal(converted.code, 0, converted.stderr);
  assert.deepEqual(JSON.parse(converted.stdout), JSON.parse(original.stdout));

  await copyFile(join(renamed, 'my_mnist_model.json'), join(renamed, 'another.json'));
  const two = await run('predict', renamed, digit);
  assert.equal(two.code, 1);
  assert.match(two.stderr, /converted: has no model\.json but 2 TensorFlow\.js models \("another\.json", "my_mnist_model\.json"\); give the path of the one to load/);

  await rm(join(renamed, 'another.json'));
  await rename(join(renamed, 'my_mnist_model.json'), join(renamed, 'notes.txt'));
  const none = await run('predict', renamed, digit);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /converted: has no model\.json, and "labels\.json" is not a TensorFlow\.js model/);
});
