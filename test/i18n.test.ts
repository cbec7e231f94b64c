// The renderer's three dictionaries: the same keys, the same {parameters}, and no English left
// in the Chinese ones beyond Keras's and the lab's own vocabulary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en } from '../src/renderer/src/i18n/en';
import { zhHant } from '../src/renderer/src/i18n/zh-Hant';
import { zhHans } from '../src/renderer/src/i18n/zh-Hans';
import { englishWords } from './helpers/english-words';

const DICTIONARIES = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans } as Record<string, Record<string, string>>;
const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every message key exists in all three languages, with text and the same parameters', () => {
  const keys = Object.keys(en).sort();
  assert.ok(keys.length > 300, `${keys.length} keys`);
  for (const [language, dictionary] of Object.entries(DICTIONARIES)) {
    assert.deepEqual(Object.keys(dictionary).sort(), keys, `${language} has the same keys as English`);
    for (const key of keys) {
      assert.ok(dictionary[key].trim().length > 0, `${language} ${key} is empty`);
      assert.deepEqual(params(dictionary[key]), params(en[key as keyof typeof en]), `${language} ${key} takes the parameters English does`);
    }
  }
});

test('the Chinese messages have no untranslated English beyond the allowed vocabulary', () => {
  for (const language of ['zh-Hant', 'zh-Hans']) {
    const left = Object.entries(DICTIONARIES[language]).flatMap(([key, text]) => englishWords(text).map((word) => `${key}: ${word}`));
    assert.deepEqual(left, [], `${language} has English words`);
  }
});

test('the check finds English that was left untranslated', () => {
  assert.deepEqual(englishWords('設定與教學不同 · split 0.2 · Keras'), ['split']);
  assert.deepEqual(englishWords('{n} 張影像 · x_train[3]'), []);
});
