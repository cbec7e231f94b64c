// settings.*: the user's settings, read and changed.
import type { LabContext } from '../context';
import type { Handlers } from './handlers';

export function settingsCalls(lab: LabContext): Handlers<'settings.get' | 'settings.set'> {
  return {
    'settings.get': async () => lab.settings.get(),
    'settings.set': async (changes) => lab.settings.set(changes),
  };
}
