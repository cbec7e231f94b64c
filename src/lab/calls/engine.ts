// engine.info: the TensorFlow.js backend in use for the backend the settings name, and why;
// engine.list: every engine, and which one each job uses.
import { engineReport, initEngine } from '../../engine/backend';
import { describeEngines } from '../../engine/engines';
import { choosePython } from '../../engine/keras-engine';
import type { LabContext } from '../context';
import type { Handlers } from './handlers';

export function engineCalls(lab: LabContext): Handlers<'engine.info' | 'engine.list'> {
  return {
    'engine.info': async () => {
      return engineReport(await initEngine(lab.settings.get().backend));
    },
    'engine.list': async () => {
      const { backend, python } = lab.settings.get();
      return describeEngines(backend, choosePython(python));
    },
  };
}
