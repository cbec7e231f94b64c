// train.*: start, pause, resume and stop a run, and the current run's status.
import type { LabContext } from '../context';
import type { Handlers } from './handlers';

type TrainCall = 'train.start' | 'train.pause' | 'train.resume' | 'train.stop' | 'train.status';

export function trainCalls(lab: LabContext): Handlers<TrainCall> {
  return {
    'train.start': async (request) => ({ runId: await lab.training.start(request) }),
    'train.pause': async () => {
      lab.training.pause();
      return null;
    },
    'train.resume': async () => {
      lab.training.resume();
      return null;
    },
    'train.stop': async () => {
      lab.training.stop();
      return null;
    },
    'train.status': async () => lab.training.status,
  };
}
