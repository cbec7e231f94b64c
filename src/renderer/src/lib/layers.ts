// The Model view's words for models: the family a model belongs to. New layers start as the
// layer table (shared/layers.ts) says.
import type { InputKind } from '../../../shared/model-spec';

/** The family a model belongs to, as the seeds compare them: MLP, CNN or RNN. */
export function family(input: InputKind): 'MLP' | 'CNN' | 'RNN' {
  return input === 'image' ? 'CNN' : input === 'sequence' ? 'RNN' : 'MLP';
}
