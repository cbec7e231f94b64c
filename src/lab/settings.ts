// The user's settings: schema-checked, written atomically, migrated by version.
import type Conf from 'conf';
import type { Settings as SettingsData } from '../shared/contract';
import { DEFAULT_MIRRORS } from '../data/download';
import { confStore, type StoreFactory } from '../files/store';
import { BACKEND_CHOICES } from '../shared/backends';

/** Bump with a migration below whenever the settings' shape changes. */
const SCHEMA_VERSION = '1.0.0';
export const LANGUAGES = ['system', 'en', 'zh-Hant', 'zh-Hans'] as const;
export const THEMES = ['system', 'light', 'dark'] as const;
export const MAX_MIRRORS = 10;
export const MAX_PYTHON_PATH = 1000;
const DEFAULTS: SettingsData = { language: 'system', theme: 'system', backend: 'auto', mirrors: [...DEFAULT_MIRRORS], python: '' };

const SCHEMA = {
  language: { enum: [...LANGUAGES] },
  theme: { enum: [...THEMES] },
  backend: { enum: [...BACKEND_CHOICES] },
  mirrors: { type: 'array', items: { type: 'string', pattern: '^https?://' }, maxItems: MAX_MIRRORS },
  python: { type: 'string', maxLength: MAX_PYTHON_PATH },
} as const;

/**
 * 1.0.0, the first versioned schema: a file written before versions (or edited by hand) keeps
 * what it holds that is valid and loses the rest, so it cannot stop the lab from starting.
 */
function toFirstVersion(store: Conf<SettingsData>): void {
  const keep: Record<keyof SettingsData, (value: unknown) => boolean> = {
    language: (v) => (LANGUAGES as readonly unknown[]).includes(v),
    theme: (v) => (THEMES as readonly unknown[]).includes(v),
    backend: (v) => (BACKEND_CHOICES as readonly unknown[]).includes(v),
    mirrors: (v) => Array.isArray(v) && v.length <= MAX_MIRRORS && v.every((m) => typeof m === 'string' && /^https?:\/\//.test(m)),
    python: (v) => typeof v === 'string' && v.length <= MAX_PYTHON_PATH,
  };
  const old: Record<string, unknown> = { ...store.store };
  for (const key of Object.keys(old)) {
    if (key === '__internal__') continue;
    const check = keep[key as keyof SettingsData];
    if (!check?.(old[key])) store.delete(key as keyof SettingsData);
  }
  for (const [key, value] of Object.entries(DEFAULTS)) {
    if (!store.has(key as keyof SettingsData)) store.set(key as keyof SettingsData, value);
  }
}

export class Settings {
  private readonly store: Conf<SettingsData>;

  constructor(dir: string, createStore: StoreFactory = confStore) {
    this.store = createStore<SettingsData>({
      cwd: dir,
      name: 'settings',
      schemaVersion: SCHEMA_VERSION,
      defaults: DEFAULTS,
      schema: SCHEMA,
      migrations: { '1.0.0': toFirstVersion },
      resetWhenInvalid: true,
    });
  }

  get(): SettingsData {
    const { language, theme, backend, mirrors, python } = { ...DEFAULTS, ...this.store.store };
    return { language, theme, backend, mirrors, python };
  }

  set(changes: Partial<SettingsData>): SettingsData {
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) this.store.set(key as keyof SettingsData, value);
    }
    return this.get();
  }
}
