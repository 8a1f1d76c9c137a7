import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { bearer, createUser, errorCode, login, PASSWORD, refresh } from './account-fixtures.ts'
import { build, collectJobs, stores } from './helper.ts'

for (const store of stores()) {
  describe(`me (${store})`, () => {
    test('GET /me needs a token and shows the profile with its e-mail verification, never the hash', async (t) => {
      const api = await build(t, { store })
      const anonymous = await api.inject({ method: 'GET', url: '/me' })
      assert.equal(anonymous.statusCode, 401)
      assert.equal(errorCode(anonymous), 'AUTH_UNAUTHENTICATED')

      const user = await createUser(api, 'ann@example.com', { verified: true })
      const { access_token } = await login(api, 'ann@example.com')
      const res = await api.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(access_token) })
      assert.equal(res.statusCode, 200)
      const body = res.json()
      assert.equal(body.id, user.id)
      assert.equal(body.email, 'ann@example.com')
      assert.equal(body.email_verified, true)
      assert.equal(body.role, 'user')
      assert.equal(body.email_verification.confirmed, true)
      assert.ok(!('password_hash' in body))
      assert.ok(!res.body.includes('argon2'))
    })

    test('PATCH /me changes name and locale, and nothing else', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'bob@example.com', { verified: true })
      const { access_token } = await login(api, 'bob@example.com')
      const patch = (payload: object) =>
        api.inject({ method: 'PATCH', url: '/me', headers: bearer(access_token), payload })

      const res = await patch({ display_name: '  Bob B.  ', locale: 'ru', role: 'admin' })
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(res.json().display_name, 'Bob B.')
      assert.equal(res.json().locale, 'ru')
      assert.equal(res.json().role, 'user')
      const stored = await api.users.findByEmail(api.db, 'bob@example.com')
      assert.equal(stored?.display_name, 'Bob B.')
      assert.equal(stored?.role, 'user')

      assert.equal((await patch({ display_name: '' })).json().display_name, null)
      const bad = await patch({ locale: 'xx' })
      assert.equal(bad.statusCode, 422)
      assert.equal(bad.json().error.field, 'locale')
      assert.equal((await patch({ display_name: 'x'.repeat(101) })).statusCode, 422)
    })

    test('POST /me/password checks the current password and the rules for the new one', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'carol@example.com', { verified: true })
      const { access_token } = await login(api, 'carol@example.com')
      const change = (current_password: string, new_password: string) =>
        api.inject({
          method: 'POST',
          url: '/me/password',
          headers: bearer(access_token),
          payload: { current_password, new_password },
        })

      const wrong = await change('not-my-password', 'a-brand-new-secret-9')
      assert.equal(wrong.statusCode, 401)
      assert.equal(errorCode(wrong), 'AUTH_INVALID_CREDENTIALS')
      assert.equal(wrong.json().error.field, 'current_password')

      const common = await change(PASSWORD, 'password123')
      assert.equal(common.statusCode, 422)
      assert.equal(common.json().error.field, 'new_password')
      assert.match(common.json().error.message, /most common/)
      assert.match((await change(PASSWORD, 'short')).json().error.message, /at least 8/)
      assert.equal((await change(PASSWORD, 'x'.repeat(129))).statusCode, 422)
      assert.equal((await change(PASSWORD, PASSWORD)).json().error.field, 'new_password')
    })

    test('a password change signs out other sessions, keeps this one, and mails a notice', async (t) => {
      const api = await build(t, { store })
      const collector = await collectJobs(t, api)
      const user = await createUser(api, 'dave@example.com', { verified: true })
      const here = await login(api, 'dave@example.com')
      const elsewhere = await login(api, 'dave@example.com')

      const res = await api.inject({
        method: 'POST',
        url: '/me/password',
        headers: bearer(here.access_token),
        payload: { current_password: PASSWORD, new_password: 'a-brand-new-secret-9' },
      })
      assert.equal(res.statusCode, 200, res.body)
      const fresh = res.json()
      assert.equal(fresh.token_type, 'Bearer')

      for (const old of [here, elsewhere]) {
        assert.equal(
          errorCode(await api.inject({ method: 'GET', url: '/me', headers: bearer(old.access_token) })),
          'AUTH_INVALID_TOKEN',
        )
        assert.equal(errorCode(await refresh(api, old.refresh_token)), 'AUTH_SESSION_EXPIRED')
      }
      assert.equal(
        (await api.inject({ method: 'GET', url: '/me', headers: bearer(fresh.access_token) })).statusCode,
        200,
      )
      assert.equal((await refresh(api, fresh.refresh_token)).statusCode, 200)
      assert.equal(
        (await api.users.findById(api.db, user.id))?.credential_version,
        user.credential_version + 1,
      )

      const [job] = await collector.waitFor(1)
      assert.equal(job?.type, 'password_changed')
      assert.equal(job?.type === 'password_changed' && job.userId, user.id)
      await login(api, 'dave@example.com', 'a-brand-new-secret-9')
    })
  })
}
