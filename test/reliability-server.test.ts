// Browser mode against a hostile client: every malformed frame closes only its own connection,
// the server keeps answering, and many sockets at once raise no warning.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES } from '../src/server/server';
import { WS_PATH } from '../src/shared/contract';
import { announce, frame, openRaw } from './helpers/raw-socket';

let home: string;
let child: ChildProcess;
let stderr = '';
let exited: Promise<number | null>;
/** the server in the child: what a test needs of it */
const server = { port: 0, token: '' };

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-frames-'));
  await mkdir(join(home, 'site'));
  await writeFile(join(home, 'site', 'index.html'), '<!doctype html><title>Digit Lab</title>');
  const script = fileURLToPath(new URL('./helpers/serve-child.ts', import.meta.url));
  child = spawn(process.execPath, ['--import', 'tsx', script, join(home, 'lab'), join(home, 'site')], { stdio: ['ignore', 'pipe', 'pipe'] });
  exited = new Promise((done) => child.once('exit', done));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening: ${stderr}`)));
  });
  Object.assign(server, JSON.parse(line));
});

after(async () => {
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
  await rm(home, { recursive: true, force: true });
});

function assertAlive(): void {
  assert.equal(child.exitCode, null, `the server exited: ${stderr}`);
}

const path = () => `${WS_PATH}?token=${server.token}`;

/** A real client's call, answered: the server is still serving. */
async function stillAnswers(): Promise<void> {
  assertAlive();
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}${path()}`, { origin: `http://127.0.0.1:${server.port}` });
  try {
    await new Promise((ready, fail) => socket.once('open', ready).once('error', fail));
    const reply = new Promise<{ id: number; result: unknown[] }>((done) => socket.once('message', (raw) => done(JSON.parse(raw.toString()))));
    socket.send(JSON.stringify({ id: 7, call: 'models.presets', args: null }));
    const { id, result } = await reply;
    assert.equal(id, 7);
    assert.equal(result.length, 11);
  } finally {
    socket.terminate();
  }
}

const TEXT = 0x81;
const BINARY = 0x82;
const BAD_FRAMES: [string, Buffer, number][] = [
  ['a text frame with invalid UTF-8', frame(TEXT, Buffer.from([0xff, 0xfe, 0xfd])), 1007],
  ['RSV1 set without compression', frame(TEXT | 0x40, Buffer.from('{}')), 1002],
  ['an unmasked frame', frame(TEXT, Buffer.from('{}'), false), 1002],
  ['a reserved opcode', frame(0x83, Buffer.from('{}')), 1002],
  ['a close frame with code 999', frame(0x88, Buffer.from([0x03, 0xe7])), 1002],
  ['a header announcing more than the maximum message', announce(BINARY, MAX_MESSAGE_BYTES + 1), 1009],
];

for (const [name, bytes, code] of BAD_FRAMES) {
  test(`${name} closes that connection only (code ${code}); the server still answers`, async () => {
    const bystander = await openRaw(server.port, path());
    const raw = await openRaw(server.port, path());
    raw.socket.write(bytes);
    assert.equal(await raw.closed, code);
    assert.equal(bystander.socket.destroyed, false, 'another connection stays open');
    bystander.socket.destroy();
    await stillAnswers();
  });
}

test('200 sockets at once: all admitted, no MaxListenersExceededWarning, then a call still answers', async () => {
  const open = await Promise.all(Array.from({ length: 200 }, () => openRaw(server.port, path())));
  try {
    await stillAnswers();
    assert.doesNotMatch(stderr, /MaxListenersExceededWarning/);
  } finally {
    for (const raw of open) raw.socket.destroy();
    await Promise.all(open.map((raw) => raw.closed));
  }
});
