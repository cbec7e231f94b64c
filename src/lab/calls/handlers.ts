// The shape of a group of the lab's calls: each module answers the calls named by its prefix.
import type { CallArgs, CallName, CallResult } from '../../shared/contract';

export type Handlers<K extends CallName = CallName> = { [N in K]: (args: CallArgs<N>) => Promise<CallResult<N>> };
