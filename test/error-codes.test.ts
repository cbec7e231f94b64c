// Error codes: the lab answers each refusal with a code and its parameters; every language the
// renderer speaks has each code's message, with the same parameters as the English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_TEXT, errorMessage, type ErrorCode } from '../src/shared/error-codes';
import { en } from '../src/renderer/src/i18n/en';
import { zhHant } from '../src/renderer/src/i18n/zh-Hant';
import { zhHans } from '../src/renderer/src/i18n/zh-Hans';
import { createLabService } from '../src/lab/service';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every error code reads in English, 繁體中文 and 简体中文 with the same parameters', () => {
  for (const code of Object.keys(ERROR_TEXT) as ErrorCode[]) {
    const key = `error.${code}` as const;
    assert.equal(en[key], ERROR_TEXT[code]);
    for (const [language, messages] of [['zh-Hant', zhHant], ['zh-Hans', zhHans]] as const) {
      assert.ok(messages[key]?.length > 0, `${language} lacks ${key}`);
      for (const name of placeholders(messages[key])) assert.ok(placeholders(ERROR_TEXT[code]).includes(name), `${language} ${key} uses {${name}}, which the lab does not send`);
    }
  }
});

test('the lab answers refusals with their code, parameters and English text', async () => {
  const home = await mkdtemp(join(tmpdir(), 'digit-lab-error-codes-'));
  const lab = await createLabService({ home, cacheDir: join(home, 'cache') });
  try {
    assert.deepEqual(await lab.answer('runs.get', { runId: 'gone' }), { error: 'there is no run gone', code: 'run.unknown', params: { runId: 'gone' } });
    assert.deepEqual(await lab.answer('predict', { model: 'latest', input: new Array(784).fill(0) }), {
      error: errorMessage('run.noModelYet'),
      code: 'run.noModelYet',
      params: {},
    });
    assert.deepEqual(await lab.answer('digits.delete', { id: 'abc' }), { error: 'there is no My digit abc', code: 'digits.unknown', params: { id: 'abc' } });
    const refused = await lab.answer('train.start', { spec: { name: 'x' } });
    assert.ok('code' in refused && refused.code === 'call.badArgument', JSON.stringify(refused));
  } finally {
    await lab.close();
    await rm(home, { recursive: true, force: true });
  }
});
