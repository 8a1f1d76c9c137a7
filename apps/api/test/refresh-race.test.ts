import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Queryable } from '../src/db/driver.ts'
import { createUser, errorCode, login, movableClock, refresh } from './account-fixtures.ts'
import { build, stores } from './helper.ts'

for (const store of stores()) {
  describe(`refresh and revocation (${store})`, () => {
    test('a revocation landing while a refresh is under way also ends the token that refresh issues', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'ann@example.com', { verified: true })
      const pair = await login(api, 'ann@example.com')

      // Sign-out-everywhere runs right after the refresh's first transaction commits: between
      // "token used" and "next token issued" when those are two transactions.
      const db = api.db as { transaction: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T> }
      const transaction = db.transaction.bind(api.db)
      let revokeNext = true
      db.transaction = async (fn) => {
        const result = await transaction(fn)
        if (revokeNext) {
          revokeNext = false
          await api.sessions.endAll(api.db, user.id)
        }
        return result
      }
      const res = await refresh(api, pair.refresh_token)
      db.transaction = transaction
      assert.ok(!revokeNext, 'the revocation ran')
      if (res.statusCode === 200) {
        const next = await refresh(api, res.json().refresh_token)
        assert.equal(next.statusCode, 401, 'the token issued by the refresh survived the revocation')
        assert.equal(errorCode(next), 'AUTH_SESSION_EXPIRED')
      } else {
        assert.equal(res.statusCode, 401)
      }
      const { rows } = await api.db.query<{ live: string }>(
        'SELECT count(*)::text AS live FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL AND used_at IS NULL',
        [user.id],
      )
      assert.equal(rows[0]?.live, '0')
    })

    test('refreshes racing sign-out-everywhere leave no live token behind', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'bob@example.com', { verified: true })
      for (let round = 0; round < 10; round++) {
        const pair = await login(api, 'bob@example.com')
        await Promise.all([
          refresh(api, pair.refresh_token),
          api.db.transaction((tx) => api.sessions.endAll(tx, user.id)),
        ])
        const { rows } = await api.db.query<{ live: string }>(
          `SELECT count(*)::text AS live FROM refresh_tokens
            WHERE user_id = $1 AND revoked_at IS NULL AND used_at IS NULL`,
          [user.id],
        )
        assert.equal(rows[0]?.live, '0', `round ${round}`)
      }
    })

    test('a session ends SESSION_MAX_AGE after its login however often it is refreshed', async (t) => {
      const clock = movableClock()
      const api = await build(t, {
        store,
        now: clock.now,
        env: { SESSION_MAX_AGE: '3600', REFRESH_TOKEN_TTL: '1800' },
      })
      await createUser(api, 'carol@example.com', { verified: true })
      let token = (await login(api, 'carol@example.com')).refresh_token
      for (let i = 0; i < 3; i++) {
        clock.advance(1000)
        const res = await refresh(api, token)
        assert.equal(res.statusCode, 200, `refresh at ${(i + 1) * 1000} s`)
        token = res.json().refresh_token
      }
      // 3,700 s after the login: inside the sliding window of the last refresh, past the session's age.
      clock.advance(700)
      const late = await refresh(api, token)
      assert.equal(late.statusCode, 401)
      assert.equal(errorCode(late), 'AUTH_SESSION_EXPIRED')
      // A new login starts a new session.
      assert.equal(
        (await refresh(api, (await login(api, 'carol@example.com')).refresh_token)).statusCode,
        200,
      )
    })
  })
}
