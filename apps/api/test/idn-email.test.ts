import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { normalizeEmail } from '../src/users/email.ts'
import { createUser, login } from './account-fixtures.ts'
import { build, stores } from './helper.ts'

describe('internationalised domains', () => {
  test('are written in their ASCII form, lower-cased, the local part left as typed', () => {
    assert.equal(normalizeEmail(' user@bücher.example '), 'user@xn--bcher-kva.example')
    assert.equal(normalizeEmail('User@BÜCHER.Example'), 'User@xn--bcher-kva.example')
    assert.equal(normalizeEmail('user@xn--bcher-kva.example'), 'user@xn--bcher-kva.example')
    assert.equal(normalizeEmail('Ann@Example.COM'), 'Ann@example.com')
  })
})

for (const store of stores()) {
  describe(`internationalised domains (${store})`, () => {
    test('user@bücher.example is accepted, mailed in ASCII, and one account with its ASCII form', async (t) => {
      const api = await build(t, { store, env: { RESEND_COOLDOWN_SECONDS: '0' } })
      const unicode = await api.inject({
        method: 'POST',
        url: '/register',
        payload: { email: 'user@bücher.example' },
      })
      assert.equal(unicode.statusCode, 202, unicode.body)
      assert.equal(unicode.json().email, 'user@xn--bcher-kva.example')
      const ascii = await api.inject({
        method: 'POST',
        url: '/register',
        payload: { email: 'user@xn--bcher-kva.example' },
      })
      assert.equal(ascii.body, unicode.body)
      const { rows: users } = await api.db.query<{ email: string }>('SELECT email FROM users')
      assert.deepEqual(
        users.map((u) => u.email),
        ['user@xn--bcher-kva.example'],
      )
      const { rows: mails } = await api.db.query<{ email: string }>(
        "SELECT payload->>'email' AS email FROM outbox WHERE kind = 'mail'",
      )
      assert.ok(mails.length >= 1)
      for (const mail of mails) assert.equal(mail.email, 'user@xn--bcher-kva.example')

      await createUser(api, 'ann@xn--mller-kva.example', { verified: true })
      assert.ok((await login(api, 'ann@müller.example')).access_token)
    })
  })
}
