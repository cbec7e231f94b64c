// engine.info: the TensorFlow.js backend in use for the backend the settings name, and why.
import { initEngine } from '../../engine/backend';
import type { LabContext } from '../context';
import type { Handlers } from './handlers';

export function engineCalls(lab: LabContext): Handlers<'engine.info'> {
  return {
    'engine.info': async () => {
      const info = await initEngine(lab.settings.get().backend);
      return { backend: info.backend, version: info.version, reason: info.reason };
    },
  };
}
