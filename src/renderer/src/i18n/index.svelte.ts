// A small typed dictionary: English is the reference, and each translation must carry
// every one of its keys (the type checker says which is missing).
import type { Language, Settings } from '../../../shared/contract';
import { en, type MessageKey, type Messages } from './en';
import { zhHant } from './zh-Hant';
import { zhHans } from './zh-Hans';

export type { MessageKey };

const DICTIONARIES: Record<Language, Messages> = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans };

/** Each language named in itself, for the language menu. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', 'zh-Hant': '繁體中文', 'zh-Hans': '简体中文' };

/** The system's language as one the lab speaks: zh-TW/HK/MO and zh-Hant → 繁體, other zh → 简体. */
export function systemLanguage(tags: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language]): Language {
  for (const tag of tags) {
    const lower = tag.toLowerCase();
    if (!lower.startsWith('zh')) {
      if (lower.startsWith('en')) return 'en';
      continue;
    }
    if (/hant|-tw|-hk|-mo/.test(lower)) return 'zh-Hant';
    return 'zh-Hans';
  }
  return 'en';
}

let current = $state<Language>(systemLanguage());

export const i18n = {
  get language(): Language {
    return current;
  },
  /** the locale for numbers and dates */
  get locale(): string {
    return current === 'en' ? 'en-US' : current === 'zh-Hant' ? 'zh-TW' : 'zh-CN';
  },
  apply(setting: Settings['language']): void {
    current = setting === 'system' ? systemLanguage() : setting;
    document.documentElement.lang = current;
  },
};

/** Whether the dictionaries have a message for `key` (one made from data, such as a preset's id). */
function hasMessage(key: string): key is MessageKey {
  return key in en;
}

/** The message for `key` where the dictionaries have one; else `fallback` (a name given elsewhere, kept as it is). */
export function tOr(key: string, fallback: string): string {
  return hasMessage(key) ? t(key) : fallback;
}

/** The message for `key` in the language in force, `{name}` replaced from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = DICTIONARIES[current][key] ?? en[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
