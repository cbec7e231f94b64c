// The Keras engine's worker process: resources/keras_engine.py on the user's Python, started,
// checked (Keras 3 and a backend that runs) and spoken to in JSON lines (keras-protocol.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LabError } from '../lab/lab-error';
import { labRoot } from './link-tensorflow';
import { KERAS_INSTALL } from '../shared/backends';
import { KERAS_PROTOCOL, KerasProtocolError, parseFromKeras, type FromKeras, type ToKeras } from './keras-protocol';

/** The Python used when none is given: the first python3 on PATH. */
export const DEFAULT_PYTHON = 'python3';
/** Importing Keras and starting its backend; a busy machine's first import can take tens of seconds. */
const HELLO_TIMEOUT_MS = 180_000;
/** How much of the worker's stderr is kept to say why it ended. */
const STDERR_TAIL = 2000;
/** A protocol line longer than this is not one. */
const MAX_LINE = 1_000_000;

export type KerasHello = Extract<FromKeras, { type: 'hello' }>;

export function kerasScript(): string {
  return join(labRoot(), 'resources', 'keras_engine.py');
}

/** `--python`, else the Settings' Python, else python3 on PATH. */
export function choosePython(...given: (string | undefined)[]): string {
  return given.find((p) => p !== undefined && p.trim() !== '')?.trim() ?? DEFAULT_PYTHON;
}

function env(): NodeJS.ProcessEnv {
  // TensorFlow's C++ log lines (when Keras imports it) are noise in the lab's stderr.
  return { TF_CPP_MIN_LOG_LEVEL: '3', ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-3).join(' | ').slice(-500);
}

/** One running worker: its messages as they come, and the reason it ended if it did. */
export class KerasWorker {
  private stderr = '';
  private listeners: ((message: FromKeras) => void)[] = [];
  private endListeners: ((error: LabError) => void)[] = [];
  private ended: LabError | null = null;
  hello: KerasHello | null = null;

  private constructor(
    readonly python: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL);
    });
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => this.receive(line));
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.end(new LabError('keras.noPython', { python, reason: error.code === 'ENOENT' ? 'no such program' : error.message }));
    });
    child.on('exit', (code, signal) => {
      // let the last lines of stdout and stderr arrive first
      setImmediate(() => {
        const how = signal ? `killed by ${signal}` : `exit code ${code}`;
        const said = lastLines(this.stderr);
        this.end(new LabError('keras.workerDied', { python, reason: said ? `${how}; it said: ${said}` : how }));
      });
    });
    child.stdin!.on('error', () => {}); // a dead worker's stdin: its exit says why
  }

  /** Starts the worker and waits for its hello; `probe` makes it exit after that. */
  static start(python: string, probe = false): Promise<KerasWorker> {
    let child: ChildProcess;
    try {
      child = spawn(python, [kerasScript(), ...(probe ? ['--probe'] : [])], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      return Promise.reject(new LabError('keras.noPython', { python, reason: (error as Error).message }));
    }
    const worker = new KerasWorker(python, child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.kill();
        reject(new LabError('keras.backendFailed', { python, reason: `Keras did not start within ${HELLO_TIMEOUT_MS / 1000} s` }));
      }, HELLO_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        worker.listeners = [];
        worker.endListeners = [];
      };
      worker.onMessage((message) => {
        done();
        if (message.type === 'hello') {
          if (message.protocol !== KERAS_PROTOCOL) {
            worker.kill();
            reject(new LabError('keras.protocol', { problem: `protocol ${message.protocol}, the lab speaks ${KERAS_PROTOCOL}`, line: JSON.stringify(message) }));
            return;
          }
          worker.hello = message;
          resolve(worker);
        } else if (message.type === 'refused') {
          reject(refusal(python, message));
        } else {
          worker.kill();
          reject(new LabError('keras.protocol', { problem: 'the first message must be hello', line: JSON.stringify(message) }));
        }
      });
      worker.onEnd((error) => {
        done();
        reject(error);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  onMessage(listener: (message: FromKeras) => void): void {
    this.listeners.push(listener);
  }

  /** Called once, when the worker is gone (exited, killed, or sent what the lab cannot read). */
  onEnd(listener: (error: LabError) => void): void {
    if (this.ended) listener(this.ended);
    else this.endListeners.push(listener);
  }

  send(message: ToKeras): void {
    if (!this.ended && this.child.stdin!.writable) this.child.stdin!.write(JSON.stringify(message) + '\n');
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private receive(line: string): void {
    if (this.ended || line.trim() === '') return;
    let message: FromKeras;
    try {
      if (line.length > MAX_LINE) throw new KerasProtocolError(`a line of ${line.length} characters`);
      message = parseFromKeras(line);
    } catch (error) {
      if (!(error instanceof KerasProtocolError)) throw error;
      this.end(new LabError('keras.protocol', { problem: error.message, line: line.slice(0, 200) }));
      this.kill();
      return;
    }
    for (const listener of [...this.listeners]) listener(message);
  }

  private end(error: LabError): void {
    if (this.ended) return;
    this.ended = error;
    for (const listener of this.endListeners) listener(error);
    this.endListeners = [];
  }
}

function refusal(python: string, message: Extract<FromKeras, { type: 'refused' }>): LabError {
  switch (message.code) {
    case 'missing':
      return new LabError('keras.noKeras', { python, install: KERAS_INSTALL.install });
    case 'old':
      return new LabError('keras.oldKeras', { python, version: message.detail, upgrade: KERAS_INSTALL.upgrade });
    case 'backend':
      return new LabError('keras.backendFailed', { python, reason: message.detail });
  }
}

/** Whether `python` can run the Keras engine: its hello, or the LabError saying why not. */
export async function probeKeras(python: string): Promise<KerasHello> {
  const worker = await KerasWorker.start(python, true);
  return worker.hello!;
}
