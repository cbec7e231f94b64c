// The contract is complete and consistent, and the Electron shell keeps to it.
// Electron itself cannot run here (its binary cannot be downloaded, and no test may load the
// 'electron' module), so the shell is checked two ways: its source is read as text, and its
// modules are run against a stand-in for the few Electron APIs they touch, registered below
// as the module 'electron'. Neither proves what a real Electron does; the E2E tests in the
// browser mode and a manual `npm start` where Electron can be had cover the rest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CALL_NAMES, EVENT_NAMES, IPC_CALL, IPC_EVENT, type LabApi } from '../src/shared/contract';
import { VALIDATED_CALLS } from '../src/lab/validate';
import { createLabService, type LabService } from '../src/lab/service';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// ---- the stand-in for Electron ----------------------------------------------------------

const fake = {
  exposed: [] as [string, unknown][],
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.push([key, api]) },
  ipcRenderer: Object.assign(new EventEmitter(), {
    invoked: [] as unknown[][],
    reply: null as unknown,
    async invoke(...args: unknown[]) {
      fake.ipcRenderer.invoked.push(args);
      return fake.ipcRenderer.reply;
    },
  }),
  ipcMain: {
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    handle: (channel: string, handler: (...args: unknown[]) => unknown) => fake.ipcMain.handlers.set(channel, handler),
  },
  app: new EventEmitter(),
  shell: { opened: [] as string[], openExternal: async (url: string) => void fake.shell.opened.push(url) },
  protocol: {
    handlers: new Map<string, (request: Request) => Promise<Response>>(),
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => fake.protocol.handlers.set(scheme, handler),
    registerSchemesAsPrivileged: () => {},
  },
};
(globalThis as { fakeElectron?: typeof fake }).fakeElectron = fake;

const STUB = `const e = globalThis.fakeElectron; export default e;
export const { contextBridge, ipcRenderer, ipcMain, app, shell, protocol } = e;`;
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: 'data:text/javascript,' + encodeURIComponent(${JSON.stringify(STUB)}), format: 'module', shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);

let home: string;
let lab: LabService;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-contract-'));
  lab = await createLabService({ home });
});
after(async () => {
  await lab.close();
  await rm(home, { recursive: true, force: true });
});

// ---- the contract -------------------------------------------------------------------------

test('every call of the contract is validated and handled, and nothing else', () => {
  assert.equal(new Set(CALL_NAMES).size, CALL_NAMES.length);
  assert.equal(new Set(EVENT_NAMES).size, EVENT_NAMES.length);
  const sorted = [...CALL_NAMES].sort();
  assert.deepEqual([...VALIDATED_CALLS].sort(), sorted);
  // handlers is private to the service; the compiler already ties its keys to CallName
  assert.deepEqual(Object.keys((lab as unknown as { handlers: object }).handlers).sort(), sorted);
});

test('every call refuses an argument of the wrong type or with a field it does not know, naming the call', async () => {
  for (const name of CALL_NAMES) {
    for (const args of [{ bogus: 1 }, 'x', 7, [1]]) {
      const reply = await lab.answer(name, args);
      assert.ok('error' in reply, `${name} accepted ${JSON.stringify(args)}`);
      assert.ok(reply.error.startsWith(name), `${name}: ${reply.error}`);
    }
  }
  for (const name of ['', 'constructor', 'toString', 'runs.list ', 'RUNS.LIST', null, undefined, {}]) {
    assert.match(((await lab.answer(name, null)) as { error: string }).error, /^unknown call/);
  }
});

// ---- the preload --------------------------------------------------------------------------

test('the preload exposes window.lab (call and on) once, and nothing else of Node or Electron (source text)', () => {
  const preload = source('src/preload/index.ts');
  assert.equal(preload.match(/exposeInMainWorld\(/g)?.length, 1);
  assert.match(preload, /contextBridge\.exposeInMainWorld\('lab', lab\);/);
  assert.match(preload, /const lab: LabApi = \{\n  call: [^]*\n  on: [^]*\n\};/);
  assert.deepEqual(preload.match(/from '[^']+'/g), ["from 'electron'", "from '../shared/contract'"]);
  const body = preload.replace(/^import .*$/gm, '');
  assert.doesNotMatch(body, /ipcRenderer(?!\.(invoke|on|off)\()/, 'ipcRenderer is used, never handed out');
});

test('the preload at work, against a stand-in for Electron', async () => {
  await import('../src/preload/index');
  assert.deepEqual(fake.exposed.map(([key]) => key), ['lab']);
  const lab = fake.exposed[0][1] as LabApi;
  assert.deepEqual(Object.keys(lab).sort(), ['call', 'on']);

  fake.ipcRenderer.reply = { result: [1, 2] };
  assert.deepEqual(await lab.call('runs.list', null), [1, 2]);
  assert.deepEqual(fake.ipcRenderer.invoked.at(-1), [IPC_CALL, 'runs.list', null]);
  // A refusal crosses the contextBridge as a plain object, so its code, parameters and layer survive it.
  const refusal = { error: 'models.summary.spec: layer 2 breaks it', code: 'call.badModel', params: { path: 'models.summary.spec', problem: 'layer 2 breaks it' }, layer: 1 };
  fake.ipcRenderer.reply = refusal;
  await assert.rejects(lab.call('models.summary', null as never), (reason: unknown) => {
    assert.deepEqual(reason, refusal);
    return true;
  });
  fake.ipcRenderer.reply = { error: 'the disk is full' };
  await assert.rejects(lab.call('runs.list', null), (reason: unknown) => {
    assert.deepEqual(reason, { error: 'the disk is full' });
    return true;
  });

  const heard: unknown[] = [];
  const off = lab.on('data.progress', (payload) => heard.push(payload));
  fake.ipcRenderer.emit(IPC_EVENT, {}, 'train.event', 'not for this listener');
  fake.ipcRenderer.emit(IPC_EVENT, {}, 'data.progress', 'progress');
  off();
  fake.ipcRenderer.emit(IPC_EVENT, {}, 'data.progress', 'after off');
  assert.deepEqual(heard, ['progress']);
  assert.equal(fake.ipcRenderer.listenerCount(IPC_EVENT), 0);
});

// ---- the main process ---------------------------------------------------------------------

test('IPC handlers in the main process check their sender before the lab sees the call (source text)', () => {
  const main = readdirSync(join(ROOT, 'src/main')).map((file) => [file, source(`src/main/${file}`)] as const);
  const handlers = main.filter(([, text]) => /ipcMain\.(handle|handleOnce|on|once)\(/.test(text));
  assert.deepEqual(handlers.map(([file]) => file), ['ipc.ts']);
  const ipc = source('src/main/ipc.ts');
  assert.equal(ipc.match(/ipcMain\.\w+\(/g)?.length, 1, 'one handler for every call');
  assert.match(ipc, /ipcMain\.handle\(IPC_CALL, async \(event, name: unknown, args: unknown\)[^{]*\{\n\s*if \(!fromLabWindow\(event, labWindow\(\)\)\) return \{ error: [^\n]*\n\s*return service\.answer\(name, args\);/);
  assert.match(ipc, /event\.sender === window\.webContents && frame !== null && frame === event\.sender\.mainFrame && isAppUrl\(frame\.url\)/);
});

test('the IPC handler at work: only the main frame of the lab window, on the app page, is answered', async () => {
  const { serveLabOverIpc } = await import('../src/main/ipc');
  const listeners = new Map<string, (payload: unknown) => void>();
  const service = {
    answer: async (name: unknown, args: unknown) => ({ result: { name, args } }),
    on: (event: string, listener: (payload: unknown) => void) => (listeners.set(event, listener), () => {}),
  };
  const sent: unknown[][] = [];
  const mainFrame = { url: 'app://digit-lab/index.html' };
  const webContents = { mainFrame, send: (...args: unknown[]) => sent.push(args) };
  let destroyed = false;
  const window = { webContents, isDestroyed: () => destroyed };
  let current: typeof window | null = window;
  serveLabOverIpc(service as never, () => current as never);
  const handle = fake.ipcMain.handlers.get(IPC_CALL)!;
  const ask = (event: object) => handle(event, 'runs.list', null) as Promise<Record<string, unknown>>;

  assert.deepEqual(await ask({ sender: webContents, senderFrame: mainFrame }), { result: { name: 'runs.list', args: null } });
  const refused = { error: "refused: calls are answered only for the lab's own window" };
  assert.deepEqual(await ask({ sender: { mainFrame }, senderFrame: mainFrame }), refused, 'another window');
  assert.deepEqual(await ask({ sender: webContents, senderFrame: { url: mainFrame.url } }), refused, 'a sub-frame');
  assert.deepEqual(await ask({ sender: webContents, senderFrame: null }), refused, 'a frame that is gone');
  mainFrame.url = 'https://evil.example/';
  assert.deepEqual(await ask({ sender: webContents, senderFrame: mainFrame }), refused, 'the window navigated away');
  mainFrame.url = 'file:///etc/passwd';
  assert.deepEqual(await ask({ sender: webContents, senderFrame: mainFrame }), refused, 'a local file');
  mainFrame.url = 'app://digit-lab/index.html';
  destroyed = true;
  assert.deepEqual(await ask({ sender: webContents, senderFrame: mainFrame }), refused, 'a destroyed window');
  destroyed = false;

  assert.deepEqual([...listeners.keys()].sort(), [...EVENT_NAMES].sort());
  listeners.get('train.event')!({ type: 'paused', runId: 'r' });
  assert.deepEqual(sent, [[IPC_EVENT, 'train.event', { type: 'paused', runId: 'r' }]]);
  current = null;
  listeners.get('data.progress')!({});
  assert.equal(sent.length, 1, 'no window, no send');
});

test('navigation, new windows and permissions are refused; web links go to the system browser', async () => {
  const { lockDownContents, lockDownSession } = await import('../src/main/security');
  lockDownContents();
  const contents = Object.assign(new EventEmitter(), { openHandler: null as null | ((details: { url: string }) => { action: string }) });
  Object.assign(contents, { setWindowOpenHandler: (handler: typeof contents.openHandler) => (contents.openHandler = handler) });
  fake.app.emit('web-contents-created', {}, contents);

  assert.deepEqual(contents.openHandler!({ url: 'https://keras.io/' }), { action: 'deny' });
  assert.deepEqual(contents.openHandler!({ url: 'file:///etc/passwd' }), { action: 'deny' });
  const navigate = (event: string, url: string) => {
    let prevented = false;
    contents.emit(event, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  assert.equal(navigate('will-navigate', 'https://evil.example/'), true);
  assert.equal(navigate('will-navigate', 'javascript:alert(1)'), true);
  assert.equal(navigate('will-redirect', 'http://127.0.0.1:1/'), true);
  assert.equal(navigate('will-navigate', 'app://digit-lab/index.html'), false);
  assert.equal(navigate('will-attach-webview', 'app://digit-lab/index.html'), true);
  assert.deepEqual(fake.shell.opened, ['https://keras.io/', 'https://evil.example/', 'http://127.0.0.1:1/']);

  let permissionHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  lockDownSession({ setPermissionRequestHandler: (handler: typeof permissionHandler) => (permissionHandler = handler), webRequest: { onHeadersReceived: () => {} } } as never);
  const appPage = { getURL: () => 'app://digit-lab/index.html' };
  const otherPage = { getURL: () => 'https://evil.example/' };
  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
    permissionHandler!(appPage, permission, (granted) => assert.equal(granted, false, permission));
  }
  // the export folder the user picked, for the app's own pages only
  permissionHandler!(appPage, 'fileSystem', (granted) => assert.equal(granted, true, 'fileSystem for the app'));
  permissionHandler!(otherPage, 'fileSystem', (granted) => assert.equal(granted, false, 'fileSystem for another page'));
});

test('app:// serves the built renderer with the CSP, and nothing outside it', async () => {
  const site = await mkdtemp(join(tmpdir(), 'digit-lab-app-'));
  try {
    await writeFile(join(site, 'index.html'), '<!doctype html>');
    await writeFile(join(home, 'secret.txt'), 'secret');
    const { serveRenderer } = await import('../src/main/app-protocol');
    serveRenderer(site);
    const handler = fake.protocol.handlers.get('app')!;
    const page = await handler(new Request('app://digit-lab/index.html'));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'self';/);
    for (const url of ['app://digit-lab/../secret.txt', 'app://digit-lab/%2e%2e/secret.txt', 'app://other-host/index.html']) {
      assert.equal((await handler(new Request(url))).status, 404, url);
    }
  } finally {
    await rm(site, { recursive: true, force: true });
  }
});

test('the window is created with the security checklist in full (source text)', () => {
  const window = source('src/main/window.ts');
  for (const preference of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'nodeIntegrationInWorker: false', 'nodeIntegrationInSubFrames: false', 'webSecurity: true', 'allowRunningInsecureContent: false', 'webviewTag: false']) {
    assert.ok(window.includes(preference), preference);
  }
  const main = source('src/main/index.ts');
  assert.match(main, /app\.enableSandbox\(\);/);
  assert.equal(source('src/main/app-url.ts').includes("APP_SCHEME = 'app'"), true);
  const html = source('src/renderer/index.html');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self';/);
});

test('only src/main and src/preload import Electron', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|svelte)$/.test(entry.name) && /from 'electron(-store)?'|require\('electron'\)/.test(source(path))) offenders.push(path);
    }
  };
  for (const dir of readdirSync(join(ROOT, 'src')).filter((d) => d !== 'main' && d !== 'preload')) walk(`src/${dir}`);
  assert.deepEqual(offenders, []);
});

// ---- npm start ----------------------------------------------------------------------------

const START = join(ROOT, 'scripts', 'start.mjs');
const runStart = (env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [START], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 90_000 });
const ONE_LINE = /^Digit Lab: Electron could not be started here \(.+\)\. Run the lab in your browser instead: npm run web\n$/;

test('npm start without an Electron binary says what to do, in one line, and exits non-zero', () => {
  const result = runStart({ ELECTRON_OVERRIDE_DIST_PATH: join(home, 'no-electron-here') });
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, ONE_LINE);
  assert.match(result.stderr, /its binary is missing/);
});

test('npm start gives up on a download that hangs, kills it, and says so', async () => {
  // The stand-in for a stalled download: the probe process (node -e) blocks forever.
  const shim = join(home, 'hang.cjs');
  await writeFile(shim, "if (process.execArgv.includes('-e')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);");
  const started = Date.now();
  const result = runStart({ NODE_OPTIONS: `--require ${shim}`, DIGIT_LAB_ELECTRON_DOWNLOAD_TIMEOUT: '1' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, ONE_LINE);
  assert.match(result.stderr, /its download did not finish within 1 s/);
  assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
});
