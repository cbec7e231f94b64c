// reproduce.*: the seed presets trained one after another with the seeds' settings, each a run.
import type { LabContext } from '../context';
import { Reproduction } from '../reproduce';
import type { Handlers } from './handlers';

type ReproduceCall = 'reproduce.start' | 'reproduce.stop' | 'reproduce.status';

export function reproduceCalls(lab: LabContext): Handlers<ReproduceCall> {
  const reproduction = new Reproduction({
    startRun: async (request) => ({ runId: await lab.training.start(request) }),
    stopRun: () => lab.training.stop(),
    emit: (status) => lab.emit('reproduce.status', status),
  });
  lab.events.on('train.event', (event) => reproduction.onTrainEvent(event));
  return {
    'reproduce.start': async ({ presets, quick }) => reproduction.start(presets, quick),
    'reproduce.stop': async () => {
      reproduction.stop();
      return null;
    },
    'reproduce.status': async () => reproduction.get(),
  };
}
