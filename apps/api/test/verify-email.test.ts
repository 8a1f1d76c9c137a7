import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createUser } from './account-fixtures.ts'
import { build, stores } from './helper.ts'
import { verifyToken } from './verification-helper.ts'

const envelope = (code: string, message: string, details: Record<string, unknown> = {}) => ({
  error: { code, message, field: null, details },
})

for (const store of stores()) {
  describe(`POST /verify-email/:token (${store})`, () => {
    test('confirms the address at the root and under /api/v1/auth', async (t) => {
      const api = await build(t, { store })
      for (const [prefix, email] of [
        ['', 'root@example.com'],
        ['/api/v1/auth', 'spa@example.com'],
      ] as const) {
        const user = await createUser(api, email, { verified: false })
        const res = await api.inject({
          method: 'POST',
          url: `${prefix}/verify-email/${verifyToken(api, user).token}`,
        })
        assert.equal(res.statusCode, 200)
        assert.deepEqual(res.json(), { message: 'Email verified successfully', email })
        assert.ok((await api.users.findById(api.db, user.id))?.email_verified_at, `${email} is confirmed`)
      }
    })

    test('a second use answers 400 AUTH_EMAIL_ALREADY_VERIFIED', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'twice@example.com', { verified: false })
      const url = `/api/v1/auth/verify-email/${verifyToken(api, user).token}`
      assert.equal((await api.inject({ method: 'POST', url })).statusCode, 200)
      const again = await api.inject({ method: 'POST', url })
      assert.equal(again.statusCode, 400)
      assert.deepEqual(
        again.json(),
        envelope('AUTH_EMAIL_ALREADY_VERIFIED', 'This e-mail address is already confirmed', {
          email: 'twice@example.com',
        }),
      )
    })

    test('20 racing requests confirm once; the others hear it is already confirmed', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'race@example.com', { verified: false })
      const url = `/verify-email/${verifyToken(api, user).token}`
      const answers = await Promise.all(Array.from({ length: 20 }, () => api.inject({ method: 'POST', url })))
      const codes = answers.map((r) => r.statusCode).sort()
      assert.deepEqual(codes, [200, ...Array(19).fill(400)])
    })

    test('a damaged token, or a token of another purpose, is 401 AUTH_INVALID_TOKEN', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'bad@example.com', { verified: false })
      const setPassword = api.tokens.sign('set_password', { sub: user.id, ver: 0, email: user.email }).token
      const good = verifyToken(api, user).token
      for (const token of ['not-a-jwt', `${good.slice(0, -3)}AAA`, setPassword, 'x%20y%3Cb%3E', 'a/b']) {
        const res = await api.inject({ method: 'POST', url: `/api/v1/auth/verify-email/${token}` })
        assert.equal(res.statusCode, 401, token)
        assert.deepEqual(res.json(), envelope('AUTH_INVALID_TOKEN', 'This link or token is not valid'))
      }
      assert.equal((await api.users.findById(api.db, user.id))?.email_verified_at, null)
    })

    test('a link acts only on the address it was mailed to; its page never shows a newer address', async (t) => {
      let clock = Date.now()
      const api = await build(t, { store, now: () => clock })
      const user = await createUser(api, 'first@example.com', { verified: false })
      const expired = verifyToken(api, user).token
      clock += (api.env.VERIFY_EMAIL_TTL - 60) * 1000
      const fresh = verifyToken(api, user).token
      clock += 120 * 1000
      // Expired, address unchanged: the page offers a new link to the address the link went to.
      const before = await api.inject({ url: `/verify-email?token=${expired}` })
      assert.match(before.body, /value="first@example\.com"/)

      await api.db.query("UPDATE users SET email = 'second@example.com' WHERE id = $1", [user.id])
      const res = await api.inject({ method: 'POST', url: `/verify-email/${fresh}` })
      assert.equal(res.statusCode, 401)
      assert.deepEqual(res.json(), envelope('AUTH_INVALID_TOKEN', 'This link or token is not valid'))
      assert.equal((await api.users.findById(api.db, user.id))?.email_verified_at, null)
      const after = await api.inject({ url: `/verify-email?token=${expired}` })
      assert.equal(after.statusCode, 401)
      assert.doesNotMatch(after.body, /second@example\.com/, 'the old mailbox does not learn the new address')
    })

    test('a well-signed token past its exp is 401 AUTH_TOKEN_EXPIRED', async (t) => {
      let clock = Date.now()
      const api = await build(t, { store, now: () => clock })
      const user = await createUser(api, 'late@example.com', { verified: false })
      const { token } = verifyToken(api, user)
      clock += (api.env.VERIFY_EMAIL_TTL + 1) * 1000
      const res = await api.inject({ method: 'POST', url: `/api/v1/auth/verify-email/${token}` })
      assert.equal(res.statusCode, 401)
      assert.deepEqual(res.json(), envelope('AUTH_TOKEN_EXPIRED', 'This link has expired'))
    })

    test('the verification link lives 24 hours by default, and VERIFY_EMAIL_TTL changes it', async (t) => {
      let clock = Date.now()
      const api = await build(t, { store, now: () => clock })
      assert.equal(api.env.VERIFY_EMAIL_TTL, 86_400)
      assert.equal(api.env.RESET_PASSWORD_TTL, 3_600)
      const user = await createUser(api, 'day@example.com', { verified: false })
      const { token } = verifyToken(api, user)
      clock += 86_399 * 1000
      assert.equal((await api.inject({ method: 'POST', url: `/verify-email/${token}` })).statusCode, 200)

      const short = await build(t, { store, env: { VERIFY_EMAIL_TTL: '60' } })
      const other = await createUser(short, 'short@example.com', { verified: false })
      const { expiresAt } = verifyToken(short, other)
      assert.ok(
        Math.abs(expiresAt.getTime() - Date.now() - 60_000) < 2_000,
        `expires at ${expiresAt.toISOString()}`,
      )
    })

    test('the account was deleted: 404 AUTH_USER_NOT_FOUND', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'gone@example.com', { verified: false })
      const { token } = verifyToken(api, user)
      await api.db.query('DELETE FROM users WHERE id = $1', [user.id])
      const res = await api.inject({ method: 'POST', url: `/api/v1/auth/verify-email/${token}` })
      assert.equal(res.statusCode, 404)
      assert.deepEqual(
        res.json(),
        envelope('AUTH_USER_NOT_FOUND', 'The account of this link no longer exists'),
      )
    })

    test('a link minted before a password change no longer works', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'changed@example.com', { verified: false })
      const { token } = verifyToken(api, user)
      await api.db.query('UPDATE users SET credential_version = credential_version + 1 WHERE id = $1', [
        user.id,
      ])
      const res = await api.inject({ method: 'POST', url: `/verify-email/${token}` })
      assert.equal(res.statusCode, 401)
      assert.equal(res.json().error.code, 'AUTH_TOKEN_USED')
      assert.equal((await api.users.findById(api.db, user.id))?.email_verified_at, null)
    })
  })
}
