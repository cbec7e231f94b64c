// The user's settings, kept with conf (electron-store is conf underneath): schema-checked,
// written atomically, migrated by version.
import Conf from 'conf';
import type { Settings as SettingsData } from '../shared/contract';
import { DEFAULT_MIRRORS } from '../data/download';

const VERSION = '1.0.0';
const DEFAULTS: SettingsData = { language: 'system', theme: 'system', backend: 'auto', mirrors: [...DEFAULT_MIRRORS] };

export class Settings {
  private readonly store: Conf<SettingsData>;

  constructor(dir: string) {
    this.store = new Conf<SettingsData>({
      cwd: dir,
      configName: 'settings',
      projectVersion: VERSION,
      defaults: DEFAULTS,
      schema: {
        language: { enum: ['system', 'en', 'zh-Hant', 'zh-Hans'] },
        theme: { enum: ['system', 'light', 'dark'] },
        backend: { enum: ['auto', 'tensorflow', 'tensorflow-gpu', 'wasm', 'cpu'] },
        mirrors: { type: 'array', items: { type: 'string' }, maxItems: 10 },
      },
      migrations: {
        // 1.0.0 is the first schema; later versions add their steps here.
        '1.0.0': (store) => {
          if (!store.has('mirrors')) store.set('mirrors', [...DEFAULT_MIRRORS]);
        },
      },
    });
  }

  get(): SettingsData {
    return { ...DEFAULTS, ...this.store.store };
  }

  set(changes: Partial<SettingsData>): SettingsData {
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) this.store.set(key as keyof SettingsData, value);
    }
    return this.get();
  }
}
