import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { bearer, createUser, errorCode, login, movableClock, PASSWORD, refresh } from './account-fixtures.ts'
import { build, collectJobs, stores } from './helper.ts'

const me = (api: Awaited<ReturnType<typeof build>>, access: string) =>
  api.inject({ method: 'GET', url: '/me', headers: bearer(access) })

for (const store of stores()) {
  describe(`sessions (${store})`, () => {
    test('refresh rotates: the new pair works and the presented token is used up', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'ann@example.com', { verified: true })
      const first = await login(api, 'ann@example.com')
      const res = await refresh(api, first.refresh_token)
      assert.equal(res.statusCode, 200, res.body)
      const second = res.json()
      assert.equal(second.token_type, 'Bearer')
      assert.notEqual(second.refresh_token, first.refresh_token)
      assert.equal((await me(api, second.access_token)).statusCode, 200)
      const again = await api.inject({
        method: 'POST',
        url: '/api/v1/auth/token/refresh',
        payload: { refresh_token: second.refresh_token },
      })
      assert.equal(again.statusCode, 200)
    })

    test('presenting a used refresh token revokes its whole family, not other sign-ins', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'bob@example.com', { verified: true })
      const stolen = await login(api, 'bob@example.com')
      const otherDevice = await login(api, 'bob@example.com')
      const rotated = (await refresh(api, stolen.refresh_token)).json()

      const replay = await refresh(api, stolen.refresh_token)
      assert.equal(replay.statusCode, 401)
      assert.equal(errorCode(replay), 'AUTH_REFRESH_REUSED')
      const afterReuse = await refresh(api, rotated.refresh_token)
      assert.equal(afterReuse.statusCode, 401)
      assert.equal(errorCode(afterReuse), 'AUTH_SESSION_EXPIRED')
      assert.equal((await refresh(api, otherDevice.refresh_token)).statusCode, 200)
    })

    test('refresh tokens are stored only as their SHA-256', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'carol@example.com', { verified: true })
      const pair = await login(api, 'carol@example.com')
      const { rows } = await api.db.query<{ token_hash: string }>(
        'SELECT * FROM refresh_tokens WHERE user_id = $1',
        [user.id],
      )
      assert.equal(rows.length, 1)
      assert.equal(rows[0]?.token_hash, createHash('sha256').update(pair.refresh_token).digest('hex'))
      assert.ok(!JSON.stringify(rows).includes(pair.refresh_token))
    })

    test('logout ends the session; signing out twice is fine; "everywhere" ends the others', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'dave@example.com', { verified: true })
      const a = await login(api, 'dave@example.com')
      const b = await login(api, 'dave@example.com')
      const c = await login(api, 'dave@example.com')
      const out = () =>
        api.inject({ method: 'POST', url: '/logout', payload: { refresh_token: a.refresh_token } })
      assert.equal((await out()).statusCode, 204)
      assert.equal((await out()).statusCode, 204)
      assert.equal(errorCode(await refresh(api, a.refresh_token)), 'AUTH_SESSION_EXPIRED')
      assert.equal((await refresh(api, b.refresh_token)).statusCode, 200)

      // The ended token cannot sign the others out; a live one can.
      await api.inject({
        method: 'POST',
        url: '/logout',
        payload: { refresh_token: a.refresh_token, everywhere: true },
      })
      const cNext = (await refresh(api, c.refresh_token)).json()
      const all = await api.inject({
        method: 'POST',
        url: '/logout',
        payload: { refresh_token: cNext.refresh_token, everywhere: true },
      })
      assert.equal(all.statusCode, 204)
      const bNext = await refresh(api, b.refresh_token)
      assert.equal(bNext.statusCode, 401)
    })

    test('expired access and refresh tokens are refused', async (t) => {
      const clock = movableClock()
      const api = await build(t, {
        store,
        now: clock.now,
        env: { ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '120' },
      })
      await createUser(api, 'erin@example.com', { verified: true })
      const pair = await login(api, 'erin@example.com')
      assert.equal(pair.expires_in, 60)
      clock.advance(61)
      const late = await me(api, pair.access_token)
      assert.equal(late.statusCode, 401)
      assert.equal(errorCode(late), 'AUTH_TOKEN_EXPIRED')
      clock.advance(60)
      assert.equal(errorCode(await refresh(api, pair.refresh_token)), 'AUTH_SESSION_EXPIRED')
      assert.equal(errorCode(await refresh(api, 'made-up-token')), 'AUTH_INVALID_TOKEN')
    })

    test('setting a password from a reset link ends every session and sends the notice', async (t) => {
      const api = await build(t, { store })
      const collector = await collectJobs(t, api)
      const user = await createUser(api, 'fay@example.com', { verified: true })
      const pair = await login(api, 'fay@example.com')
      const link = api.tokens.sign('reset_password', {
        sub: user.id,
        ver: user.credential_version,
        email: user.email,
      })
      const res = await api.inject({
        method: 'POST',
        url: '/set-password',
        payload: { token: link.token, password: 'a-brand-new-secret-9' },
      })
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(errorCode(await refresh(api, pair.refresh_token)), 'AUTH_SESSION_EXPIRED')
      assert.equal(errorCode(await me(api, pair.access_token)), 'AUTH_INVALID_TOKEN')
      const [job] = await collector.waitFor(1)
      assert.equal(job?.type, 'password_changed')
      assert.equal(job?.email, 'fay@example.com')
      const old = await api.inject({
        method: 'POST',
        url: '/login',
        payload: { email: user.email, password: PASSWORD },
      })
      assert.equal(old.statusCode, 401)
    })
  })
}
