import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { bearer, createUser, login, PASSWORD, refresh } from './account-fixtures.ts'
import { build, stores } from './helper.ts'

for (const store of stores()) {
  describe(`security headers (${store})`, () => {
    test('every answer that carries a token says Cache-Control: no-store, at both prefixes', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'ann@example.com', { verified: true })
      await createUser(api, 'new@example.com', { verified: false })
      for (const prefix of ['', '/api/v1/auth']) {
        const signIn = await api.inject({
          method: 'POST',
          url: `${prefix}/login`,
          payload: { email: 'ann@example.com', password: PASSWORD },
        })
        assert.equal(signIn.statusCode, 200)
        assert.equal(signIn.headers['cache-control'], 'no-store', 'login')

        const unconfirmed = await api.inject({
          method: 'POST',
          url: `${prefix}/login`,
          payload: { email: 'new@example.com', password: PASSWORD },
        })
        assert.equal(unconfirmed.statusCode, 403)
        assert.ok(unconfirmed.json().error.details.verification_token)
        assert.equal(unconfirmed.headers['cache-control'], 'no-store', 'the 403 with a verification_token')

        const refreshed = await api.inject({
          method: 'POST',
          url: `${prefix}/token/refresh`,
          payload: { refresh_token: signIn.json().refresh_token },
        })
        assert.equal(refreshed.statusCode, 200)
        assert.equal(refreshed.headers['cache-control'], 'no-store', 'refresh')
      }
      const pair = await login(api, 'ann@example.com')
      assert.equal((await refresh(api, pair.refresh_token)).headers['cache-control'], 'no-store')
      const changed = await api.inject({
        method: 'POST',
        url: '/me/password',
        headers: bearer(pair.access_token),
        payload: { current_password: PASSWORD, new_password: 'another-long-passphrase-93' },
      })
      assert.equal(changed.statusCode, 200, changed.body)
      assert.ok(changed.json().access_token)
      assert.equal(changed.headers['cache-control'], 'no-store', 'password change')
    })
  })
}
