import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { build, stores } from './helper.ts'

async function registered(api: FastifyInstance, email: string) {
  await api.inject({ method: 'POST', url: '/register', payload: { email } })
  const user = await api.users.findByEmail(api.db, email)
  assert.ok(user)
  return user
}

const linkFor = (
  api: FastifyInstance,
  user: { id: string; credential_version: number; email: string },
  purpose: 'set_password' | 'reset_password' | 'verify_email' = 'set_password',
) => api.tokens.sign(purpose, { sub: user.id, ver: user.credential_version, email: user.email }).token

const setPassword = (api: FastifyInstance, token: string, password = 'a long and unusual passphrase') =>
  api.inject({ method: 'POST', url: '/set-password', payload: { token, password } })

function errorCode(res: { json(): unknown }) {
  return (res.json() as { error: { code: string } }).error.code
}

for (const store of stores()) {
  describe(`set-password (${store})`, () => {
    test('GET and HEAD of the link show the form and change nothing', async (t) => {
      const api = await build(t, { store })
      const user = await registered(api, 'reader@example.com')
      const token = linkFor(api, user)
      for (const method of ['GET', 'HEAD', 'GET'] as const) {
        const res = await api.inject({ method, url: `/set-password?token=${token}` })
        assert.equal(res.statusCode, 200)
        assert.equal(res.headers['cache-control'], 'no-store')
        assert.equal(res.headers['referrer-policy'], 'no-referrer')
      }
      const page = await api.inject({ method: 'GET', url: `/set-password?token=${token}` })
      assert.match(page.body, /name="token" value="[^"]+"/)
      assert.equal(
        (await setPassword(api, token)).statusCode,
        200,
        'the token still works after being viewed',
      )
    })

    test('a link works once; the second use is refused with a clear code', async (t) => {
      const api = await build(t, { store })
      const user = await registered(api, 'once@example.com')
      const token = linkFor(api, user)
      const first = await setPassword(api, token)
      assert.equal(first.statusCode, 200)
      assert.deepEqual(first.json(), { message: 'Password set', email: 'once@example.com' })
      const after = await api.users.findById(api.db, user.id)
      assert.ok(after?.email_verified_at, 'setting a password from the mail confirms the address')
      assert.equal(after?.credential_version, user.credential_version + 1)
      const second = await setPassword(api, token, 'yet another long passphrase')
      assert.equal(second.statusCode, 401)
      assert.equal(errorCode(second), 'AUTH_TOKEN_USED')
    })

    test('20 concurrent uses of one link: exactly one succeeds', async (t) => {
      const api = await build(t, { store })
      const user = await registered(api, 'race@example.com')
      const token = linkFor(api, user)
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => setPassword(api, token, `racing passphrase number ${i}`)),
      )
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1)
      assert.ok(results.filter((r) => r.statusCode !== 200).every((r) => errorCode(r) === 'AUTH_TOKEN_USED'))
      const { rows } = await api.db.query<{ n: string }>(
        "SELECT count(*) AS n FROM outbox WHERE payload->>'type' = 'password_changed'",
      )
      assert.equal(Number(rows[0]?.n), 1, 'one "password changed" notice')
    })

    test('setting a password kills every older link of the user', async (t) => {
      const api = await build(t, { store })
      const user = await registered(api, 'older@example.com')
      const older = linkFor(api, user, 'reset_password')
      const newer = linkFor(api, user, 'set_password')
      assert.equal((await setPassword(api, newer)).statusCode, 200)
      const res = await setPassword(api, older)
      assert.equal(res.statusCode, 401)
      assert.equal(errorCode(res), 'AUTH_TOKEN_USED')
      const page = await api.inject({ method: 'GET', url: `/set-password?token=${older}` })
      assert.equal(page.statusCode, 401)
      assert.match(page.body, /already used, or a newer mail replaced it/)
    })

    test('a token of another purpose, a forged one, alg none and an expired one are refused', async (t) => {
      let clock = Date.now()
      const api = await build(t, { store, now: () => clock })
      const user = await registered(api, 'forge@example.com')
      const verify = linkFor(api, user, 'verify_email')
      assert.equal(errorCode(await setPassword(api, verify)), 'AUTH_INVALID_TOKEN')

      const good = linkFor(api, user)
      const [header, payload] = good.split('.')
      const forged = `${header}.${payload}.${createHmac('sha256', 'x'.repeat(32)).update(`${header}.${payload}`).digest('base64url')}`
      assert.equal(errorCode(await setPassword(api, forged)), 'AUTH_INVALID_TOKEN')

      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'authmail-set-password+jwt' })).toString('base64url')}.${payload}.`
      assert.equal(errorCode(await setPassword(api, none)), 'AUTH_INVALID_TOKEN')

      assert.equal(errorCode(await setPassword(api, 'not-a-jwt')), 'AUTH_INVALID_TOKEN')

      clock += (api.env.SET_PASSWORD_TTL + 1) * 1000
      const expired = await setPassword(api, good)
      assert.equal(expired.statusCode, 401)
      assert.equal(errorCode(expired), 'AUTH_TOKEN_EXPIRED')
      const page = await api.inject({ method: 'GET', url: `/set-password?token=${good}` })
      assert.equal(page.statusCode, 401)
      assert.match(page.body, /The link has expired/)
      assert.match(page.body, /action="\/recover-password"/, 'the page offers a new link')
    })

    test('a weak password is refused with the reason, and the link stays usable', async (t) => {
      const api = await build(t, { store })
      const user = await registered(api, 'weak@example.com')
      const token = linkFor(api, user)
      for (const [password, reason] of [
        ['short', /at least 8/],
        ['password123', /most common/],
        ['x'.repeat(129), /at most 128/],
      ] as const) {
        const res = await setPassword(api, token, password)
        assert.equal(res.statusCode, 422)
        const body = res.json() as { error: { code: string; field: string; message: string } }
        assert.equal(body.error.code, 'VALIDATION_ERROR')
        assert.equal(body.error.field, 'password')
        assert.match(body.error.message, reason)
      }
      assert.equal((await setPassword(api, token)).statusCode, 200)
    })

    test('the form re-renders with the error when the two passwords differ', async (t) => {
      const api = await build(t, { store })
      const user = await registered(api, 'form@example.com')
      const token = linkFor(api, user)
      const res = await api.inject({
        method: 'POST',
        url: '/set-password',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          token,
          password: 'first long passphrase',
          password_confirm: 'second long passphrase',
        }).toString(),
      })
      assert.equal(res.statusCode, 422)
      assert.match(res.headers['content-type'] as string, /text\/html/)
      assert.match(res.body, /The two passwords differ/)
      const unchanged = await api.users.findById(api.db, user.id)
      assert.equal(unchanged?.password_hash, null)
    })
  })
}
