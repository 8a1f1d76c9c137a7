import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { bearer, createUser, errorCode, login, movableClock, PASSWORD } from './account-fixtures.ts'
import { build, stores } from './helper.ts'

const post = (api: Awaited<ReturnType<typeof build>>, email: string, password: string, url = '/login') =>
  api.inject({ method: 'POST', url, payload: { email, password } })

for (const store of stores()) {
  describe(`login (${store})`, () => {
    test('a confirmed account gets an access and a refresh token, at both prefixes', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'Ann@example.com', { verified: true })
      for (const url of ['/login', '/api/v1/auth/login']) {
        const res = await post(api, ' ann@EXAMPLE.com ', PASSWORD, url)
        assert.equal(res.statusCode, 200, res.body)
        const body = res.json()
        assert.deepEqual(Object.keys(body).sort(), [
          'access_token',
          'expires_in',
          'refresh_token',
          'token_type',
        ])
        assert.equal(body.token_type, 'Bearer')
        assert.equal(body.expires_in, 900)
        const me = await api.inject({ method: 'GET', url: '/me', headers: bearer(body.access_token) })
        assert.equal(me.json().email, 'Ann@example.com')
      }
    })

    test('a wrong password and an unknown address get the same 401 body', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'bob@example.com', { verified: true })
      const wrong = await post(api, 'bob@example.com', 'not-the-password-1')
      const unknown = await post(api, 'nobody@example.com', 'not-the-password-1')
      assert.equal(wrong.statusCode, 401)
      assert.equal(unknown.statusCode, 401)
      assert.equal(wrong.body, unknown.body)
      assert.equal(errorCode(wrong), 'AUTH_INVALID_CREDENTIALS')
      // That both take one argon2 verify (an unknown address against a dummy hash) shows only in
      // response times, which a busy machine makes flaky: not asserted here.
    })

    test('an unconfirmed account learns it must confirm only with the right password', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'new@example.com', { verified: false })
      const right = await post(api, 'new@example.com', PASSWORD)
      assert.equal(right.statusCode, 403)
      assert.equal(errorCode(right), 'AUTH_EMAIL_NOT_VERIFIED')
      const wrong = await post(api, 'new@example.com', 'not-the-password-1')
      assert.equal(errorCode(wrong), 'AUTH_INVALID_CREDENTIALS')
    })

    test('an unconfirmed account gets a session that can only read its status and enter the code', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'limited@example.com', { verified: false })
      const answer = await post(api, 'limited@example.com', PASSWORD)
      const { details } = (answer.json() as { error: { details: Record<string, unknown> } }).error
      assert.equal(details.token_type, 'Bearer')
      assert.equal(details.expires_in, api.env.ACCESS_TOKEN_TTL)
      const headers = { authorization: `Bearer ${details.verification_token}` }

      const me = await api.inject({ method: 'GET', url: '/me', headers })
      assert.equal(me.statusCode, 200)
      assert.equal((me.json() as { email: string }).email, 'limited@example.com')
      const code = await api.inject({
        method: 'POST',
        url: '/verify-email/code',
        headers,
        payload: { code: '000000' },
      })
      assert.equal(code.statusCode, 400, 'the code route takes the limited session')
      const patch = await api.inject({ method: 'PATCH', url: '/me', headers, payload: { display_name: 'x' } })
      assert.equal(patch.statusCode, 403)
      assert.equal(errorCode(patch), 'AUTH_EMAIL_NOT_VERIFIED')

      await api.db.query('UPDATE users SET email_verified_at = now() WHERE id = $1', [user.id])
      const later = await api.inject({ method: 'PATCH', url: '/me', headers, payload: { display_name: 'x' } })
      assert.equal(errorCode(later), 'AUTH_SESSION_EXPIRED', 'still limited after confirming: sign in again')
    })

    test('failed sign-ins are slowed per address, known or not, even for the right password', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now })
      await createUser(api, 'carol@example.com', { verified: true })
      for (const email of ['carol@example.com', 'ghost@example.com']) {
        for (let i = 0; i < 5; i++) assert.equal((await post(api, email, 'wrong-password-1')).statusCode, 401)
        const paused = await post(api, email, PASSWORD)
        assert.equal(paused.statusCode, 429)
        assert.equal(errorCode(paused), 'AUTH_TOO_MANY_ATTEMPTS')
        // The first pause is 30 s from the fifth attempt; a slow machine may have used a second of it.
        const wait = paused.json().error.details.retry_after_seconds
        assert.ok(wait >= 28 && wait <= 30, String(wait))
        assert.equal(paused.headers['retry-after'], String(wait))
      }
      // Another address is not affected.
      await createUser(api, 'dave@example.com', { verified: true })
      await login(api, 'dave@example.com')

      clock.advance(31)
      await login(api, 'carol@example.com')
      // The right password cleared the count: five more tries before the next pause.
      for (let i = 0; i < 5; i++)
        assert.equal((await post(api, 'carol@example.com', 'wrong-password-1')).statusCode, 401)
      assert.equal((await post(api, 'carol@example.com', 'wrong-password-1')).statusCode, 429)
    })

    test('parallel guesses cannot slip past the per-address count', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'erin@example.com', { verified: true })
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => post(api, 'erin@example.com', 'wrong-password-1')),
      )
      const codes = answers.map((res) => res.statusCode)
      assert.equal(codes.filter((c) => c === 401).length, 5, codes.join(','))
      assert.equal(codes.filter((c) => c === 429).length, 7)
    })

    test('the per-IP limit answers 429 in the error envelope', async (t) => {
      const api = await build(t, { store, env: { IP_RATE_LIMIT_PER_MINUTE: '2' } })
      await post(api, 'a@example.com', 'wrong-password-1')
      await post(api, 'b@example.com', 'wrong-password-1')
      const res = await post(api, 'c@example.com', 'wrong-password-1')
      assert.equal(res.statusCode, 429)
      assert.equal(res.json().error.code, 'RATE_LIMITED')
      assert.equal(res.json().error.field, null)
      assert.ok(res.json().error.details.retry_after_seconds > 0)
    })

    test('a malformed body is a 422 naming the field', async (t) => {
      const api = await build(t, { store })
      const res = await api.inject({
        method: 'POST',
        url: '/login',
        payload: { email: 'not-an-address', password: 'x' },
      })
      assert.equal(res.statusCode, 422)
      assert.equal(res.json().error.field, 'email')
    })
  })
}
