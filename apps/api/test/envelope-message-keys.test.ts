import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { LOCALES, type Locale } from '@authmail/contracts'
import { ERRORS } from '../src/errors.ts'
import { bearerFor, createUser } from './account-fixtures.ts'
import { build } from './helper.ts'
import { receiptSender } from './verification-helper.ts'

const dir = join(import.meta.dirname, '..', 'messages')
const load = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'))
// Every language of the contract has its file: adding a language is adding one.
const locales = Object.fromEntries(
  LOCALES.map((locale) => [
    locale,
    load(`email_verification.${locale}.json`).email_verification as Record<string, string>,
  ]),
) as Record<Locale, Record<string, string>>
const errorKeys = load('email_verification.errors.json') as Record<
  string,
  { key: string; params: Record<string, string> }
>

/** The keys the SPA clients already use (DESIGN §6), with the placeholders they fill. */
const REQUIRED: Record<string, string[]> = {
  title: [],
  description: ['email'],
  resend_button: [],
  resend_cooldown: ['time'],
  check_spam: [],
  success_title: [],
  success_description: [],
  error_already_verified: [],
  error_invalid_token: [],
  error_expired_token: [],
  error_user_not_found: [],
  error_cooldown: ['seconds'],
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

/** What a front end does with an error envelope: find the key, fill it from `details`. */
function translate(locale: keyof typeof locales, error: { code: string; details: Record<string, unknown> }) {
  const entry = errorKeys[error.code]
  assert.ok(entry, `no message key for ${error.code}`)
  const text = locales[locale][entry.key.replace('email_verification.', '')] ?? ''
  return text.replace(/\{(\w+)\}/g, (_, name: string) =>
    String(error.details[(entry.params[name] ?? '').replace('details.', '')] ?? `{${name}}`),
  )
}

describe('message keys for the front end', () => {
  test('en and ru have the same keys, all the required ones, with the same placeholders', () => {
    assert.deepEqual(Object.keys(locales.ru).sort(), Object.keys(locales.en).sort())
    for (const [key, names] of Object.entries(REQUIRED)) {
      assert.deepEqual(placeholders(locales.en[key] ?? ''), names, `en ${key}`)
    }
    for (const key of Object.keys(locales.en)) {
      assert.ok(locales.en[key] && locales.ru[key], key)
      assert.deepEqual(placeholders(locales.ru[key] ?? ''), placeholders(locales.en[key] ?? ''), `ru ${key}`)
    }
  })

  test('every mapped error code exists in errors.ts, and its key and parameters exist', () => {
    for (const [code, { key, params }] of Object.entries(errorKeys)) {
      assert.ok(code in ERRORS, `${code} is not an api error`)
      const name = key.replace(/^email_verification\./, '')
      assert.ok(locales.en[name], `${code} → ${key} is missing`)
      assert.deepEqual(placeholders(locales.en[name] ?? ''), Object.keys(params).sort(), code)
    }
  })

  test('real error answers of the verification routes translate completely in both languages', async (t) => {
    const api = await build(t)
    const deliver = await receiptSender(t, api)
    const user = await createUser(api, 'keys@example.com', { verified: false })
    const { code } = await deliver({ userId: user.id, email: user.email, credentialVersion: 0 })
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    const resend = {
      method: 'POST',
      url: '/api/v1/auth/resend-verification',
      payload: { email: user.email },
    } as const
    await api.inject(resend)
    const answers = [
      await api.inject(resend),
      await api.inject({ method: 'POST', url: '/api/v1/auth/verify-email/nonsense' }),
      await api.inject({ ...resend, payload: { email: 'nope' } }),
      await api.inject({
        method: 'POST',
        url: '/api/v1/auth/verify-email/code',
        headers: bearerFor(api, user),
        payload: { code: wrongCode },
      }),
    ]
    const seen = answers.map((res) => res.json().error)
    assert.deepEqual(
      seen.map((e) => e.code),
      ['AUTH_EMAIL_RESEND_COOLDOWN', 'AUTH_INVALID_TOKEN', 'VALIDATION_ERROR', 'AUTH_INVALID_CODE'],
    )
    for (const error of seen) {
      for (const locale of ['en', 'ru'] as const) {
        const text = translate(locale, error)
        assert.doesNotMatch(text, /[{}]/, `${locale} ${error.code}: ${text}`)
      }
    }
    assert.match(translate('ru', seen[0]), new RegExp(`Подождите ${seen[0].details.wait_seconds} с`))
    assert.equal(translate('en', seen[3]), 'This code is not correct. Tries left: 4.')
  })
})
