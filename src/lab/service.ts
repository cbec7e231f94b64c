// The lab behind the contract: one implementation of every call for both transports
// (Electron IPC and the browser mode's WebSocket). No Electron and no transport here.
// Each call's code is in calls/, in the module named by the call's prefix.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallName, CallReply, EventName, LabEvents } from '../shared/contract';
import { LabContext, type LabServiceOptions } from './context';
import { validateCall } from './validate';
import { LabError } from './lab-error';
import type { Handlers } from './calls/handlers';
import { engineCalls } from './calls/engine';
import { dataCalls } from './calls/data';
import { modelsCalls } from './calls/models';
import { trainCalls } from './calls/train';
import { runsCalls } from './calls/runs';
import { predictCalls } from './calls/predict';
import { settingsCalls } from './calls/settings';
import { digitsCalls } from './calls/digits';
import { reproduceCalls } from './calls/reproduce';
import { tidyLabHome } from './tidy-home';
import { confStore } from '../files/store';
import { MODELS_DIR } from '../files/run-store';

export type { LabServiceOptions } from './context';

export class LabService {
  private readonly lab: LabContext;
  private readonly handlers: Handlers<CallName>;

  constructor(options: LabServiceOptions) {
    this.lab = new LabContext(options);
    this.handlers = {
      ...engineCalls(this.lab),
      ...dataCalls(this.lab),
      ...modelsCalls(this.lab),
      ...trainCalls(this.lab),
      ...runsCalls(this.lab),
      ...predictCalls(this.lab),
      ...settingsCalls(this.lab),
      ...digitsCalls(this.lab),
      ...reproduceCalls(this.lab),
    };
  }

  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void {
    this.lab.events.on(event, listener);
    return () => this.lab.events.off(event, listener);
  }

  /** Validates and runs one call; any failure is an Error whose message the user can act on (a LabError, with its code, for what the lab refuses). */
  async call(name: unknown, args: unknown): Promise<unknown> {
    const call = validateCall(name, args);
    const handler = this.handlers[call] as (args: unknown) => Promise<unknown>;
    return handler(args ?? null);
  }

  /** call() as both transports answer it: the result, or the error's message (with its code and the layer at fault). Never throws. */
  async answer(name: unknown, args: unknown): Promise<CallReply> {
    try {
      return { result: (await this.call(name, args)) ?? null } as CallReply;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof LabError)) return { error: message };
      return { error: message, code: error.code, params: error.params, ...(error.layer !== undefined ? { layer: error.layer } : {}) };
    }
  }

  async close(): Promise<void> {
    this.lab.mnist.cancelDownload();
    await this.lab.training.close();
    await this.lab.models.clear();
  }
}

/** Creates the lab's folders so a first run has somewhere to write. */
export async function createLabService(options: LabServiceOptions): Promise<LabService> {
  await mkdir(join(options.home, MODELS_DIR), { recursive: true });
  await tidyLabHome(options.home, options.createStore ?? confStore);
  return new LabService(options);
}
