// The paint pad's reading path, timed in its own process as browser mode runs it: a pad-sized
// RGBA drawing preprocessed to 28×28 (src/shared/preprocess.ts), then the 'predict' call with the
// feature maps the pad asks for, to a cnn-16-36 trained through the lab: once in-process through
// the LabService, once over browser mode's WebSocket with the renderer's own client.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createLabService, type LabService } from '../lab/service';
import { startServer } from '../server/server';
import { loadMnist } from '../data/mnist';
import { presetSpec } from '../shared/presets';
import { toMnistInput, type RawImage } from '../shared/preprocess';
import { webSocketLab } from '../shared/ws-client';
import type { Prediction } from '../shared/contract';
import type { TrainEvent } from '../shared/training';
import { IMAGE_PIXELS } from '../shared/limits';
import { percentiles, type Percentiles } from './percentiles';

/** The pad's canvas in device pixels (PaintView's PAD). */
const PAD_SIDE = 560;
const MODEL = 'cnn-16-36';
/** Enough training for a real model; the reading's speed does not depend on how good it is. */
const TRAIN_LIMIT = 3000;
const DRAWINGS = 20;
const WARMUP = 20;
const READINGS = 300;

export interface PaintLatency {
  model: string;
  backend: string;
  /** the drawing's size, e.g. '560×560 RGBA' */
  drawing: string;
  readings: number;
  /** drawing → 28×28 input */
  preprocessMs: Percentiles;
  /** preprocess + predict (with feature maps) through the LabService in this process */
  inProcessMs: Percentiles;
  /** preprocess + predict over browser mode's WebSocket, as the renderer calls it */
  webSocketMs: Percentiles;
}

/** A test digit as the pad would hold it: black ink on white, scaled up bilinearly (soft edges, like a canvas stroke). */
function padDrawing(digit: Float32Array): RawImage {
  const data = new Uint8ClampedArray(PAD_SIDE * PAD_SIDE * 4);
  const scale = 28 / PAD_SIDE;
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < 28 && y < 28 ? digit[y * 28 + x] : 0);
  for (let y = 0; y < PAD_SIDE; y++) {
    const sy = (y + 0.5) * scale - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < PAD_SIDE; x++) {
      const sx = (x + 0.5) * scale - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const ink = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
      const gray = 255 - Math.round(ink * 255);
      data.set([gray, gray, gray, 255], (y * PAD_SIDE + x) * 4);
    }
  }
  return { width: PAD_SIDE, height: PAD_SIDE, channels: 4, data };
}

async function trainModel(service: LabService): Promise<string> {
  const spec = { ...presetSpec(MODEL), epochs: 1 };
  const done = new Promise<string>((resolve, reject) => {
    service.on('train.event', (event: TrainEvent) => {
      if (event.type === 'done') resolve(event.runId);
      if (event.type === 'failed') reject(new Error(event.message));
    });
  });
  await service.call('train.start', { spec, limit: TRAIN_LIMIT, seed: 1 });
  return done;
}

/** Times `read` over the drawings, after a warm-up, in ms. */
async function timed(drawings: RawImage[], read: (drawing: RawImage) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + READINGS; i++) {
    const start = performance.now();
    await read(drawings[i % drawings.length]);
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  return times;
}

async function measure(): Promise<PaintLatency> {
  const home = await mkdtemp(join(tmpdir(), 'digit-lab-bench-paint-'));
  const service = await createLabService({ home, cacheDir: join(home, 'cache') });
  const server = await startServer({ service, staticDir: home });
  const socket = webSocketLab(`ws://127.0.0.1:${server.port}/lab?token=${server.token}`, {
    WebSocket: WebSocket as unknown as new (url: string) => globalThis.WebSocket,
  });
  try {
    const runId = await trainModel(service);
    const test = (await loadMnist()).test;
    const drawings = Array.from({ length: DRAWINGS }, (_, k) => padDrawing(test.images.subarray(k * IMAGE_PIXELS, (k + 1) * IMAGE_PIXELS)));
    const preprocess = (drawing: RawImage) => Array.from(toMnistInput(drawing, 'the pad').input);
    const args = (input: number[]) => ({ model: runId, input, featureMaps: true });

    const preprocessTimes = await timed(drawings, async (drawing) => preprocess(drawing));
    const inProcess = await timed(drawings, (drawing) => service.call('predict', args(preprocess(drawing))));
    const overSocket = await timed(drawings, async (drawing) => {
      const reading = (await socket.call('predict', args(preprocess(drawing)))) as Prediction;
      if (!reading.featureMaps) throw new Error(`${MODEL} answered no feature maps`);
    });
    const engine = (await service.call('engine.info', null)) as { backend: string };
    return {
      model: MODEL,
      backend: engine.backend,
      drawing: `${PAD_SIDE}×${PAD_SIDE} RGBA`,
      readings: READINGS,
      preprocessMs: percentiles(preprocessTimes),
      inProcessMs: percentiles(inProcess),
      webSocketMs: percentiles(overSocket),
    };
  } finally {
    socket.close();
    await server.close();
    await service.close();
    await rm(home, { recursive: true, force: true });
  }
}

measure().then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
