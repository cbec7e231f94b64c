// predict: a saved model reads one preprocessed drawing (and shows its first Conv2D layer's maps).
import { readingChoice } from '../../engine/engines';
import type { LabContext } from '../context';
import { read } from '../feature-maps';
import type { Handlers } from './handlers';

export function predictCalls(lab: LabContext): Handlers<'predict'> {
  return {
    predict: async ({ model, input, featureMaps }) => {
      const { loaded } = await lab.loadedModel(model, readingChoice(lab.settings.get().backend));
      const reading = read(loaded.model, loaded.inputShape, input, featureMaps === true);
      const probabilities = reading.probabilities;
      const digit = probabilities.reduce((best, p, k) => (p > probabilities[best] ? k : best), 0);
      return { digit, ...reading };
    },
  };
}
