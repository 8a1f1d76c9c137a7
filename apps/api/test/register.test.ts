import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createUser, PASSWORD } from './account-fixtures.ts'
import { build, collectJobs, outboxJobs, stores } from './helper.ts'

const register = (api: FastifyInstance, payload: Record<string, string>) =>
  api.inject({ method: 'POST', url: '/register', payload })

const storedHash = async (api: FastifyInstance, email: string) =>
  (await api.users.findByEmail(api.db, email))?.password_hash

for (const store of stores()) {
  describe(`register (${store})`, () => {
    test('a new address without a password gets a set-password job', async (t) => {
      const api = await build(t, { store })
      const collector = await collectJobs(t, api)
      const res = await register(api, { email: ' New.User@Example.COM ' })
      assert.equal(res.statusCode, 202)
      assert.deepEqual(res.json(), {
        message: 'Check your inbox: we sent a link to continue',
        email: 'New.User@example.com',
        resend_after_seconds: 300,
        locale: 'en',
      })
      const [job] = await collector.waitFor(1)
      assert.equal(job?.type, 'set_password')
      assert.equal(job?.email, 'New.User@example.com')
    })

    test('a confirmed address gets an "account exists" mail and keeps its stored password', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'taken@example.com', { verified: true })
      const before = await storedHash(api, 'taken@example.com')
      assert.ok(before)

      const res = await register(api, { email: 'TAKEN@example.com', password: 'another-password-93-river' })
      assert.equal(res.statusCode, 202)
      assert.deepEqual(
        (await outboxJobs(api)).map((j) => [j.type, j.email]),
        [['account_exists', 'taken@example.com']],
      )
      assert.equal(await storedHash(api, 'taken@example.com'), before, 'the stored hash is untouched')
      const login = await api.inject({
        method: 'POST',
        url: '/login',
        payload: { email: 'taken@example.com', password: PASSWORD },
      })
      assert.equal(login.statusCode, 200, 'the old password still signs in')
    })

    test('an unconfirmed address registered again gets a set-password link; neither password is kept', async (t) => {
      // Nobody can tell which registrant owns the mailbox (docs/security.md, pre-account hijack).
      const api = await build(t, { store })
      await createUser(api, 'pending@example.com', { verified: false })
      assert.ok(await storedHash(api, 'pending@example.com'))

      assert.equal(
        (await register(api, { email: 'pending@example.com', password: 'another-password-93-river' }))
          .statusCode,
        202,
      )
      assert.deepEqual(
        (await outboxJobs(api)).map((j) => [j.type, j.email]),
        [['set_password', 'pending@example.com']],
      )
      assert.equal(await storedHash(api, 'pending@example.com'), null, 'the first password is gone')
      const second = await api.inject({
        method: 'POST',
        url: '/login',
        payload: { email: 'pending@example.com', password: 'another-password-93-river' },
      })
      assert.equal(second.statusCode, 401, 'the second password was not stored either')
    })

    test('a new and an existing address get the same status, headers and body bytes', async (t) => {
      // The same address, new on one api and registered on the other: the body names the address.
      const fresh = await build(t, { store })
      const existing = await build(t, { store })
      await createUser(existing, 'same@example.com', { verified: true })
      const payload = { email: 'same@example.com', password: 'another-password-93-river' }
      const [a, b] = [await register(fresh, payload), await register(existing, payload)]

      assert.equal(a.statusCode, 202)
      assert.equal(b.statusCode, a.statusCode)
      assert.equal(b.rawPayload.equals(a.rawPayload), true, `${a.body} vs ${b.body}`)
      const varying = new Set(['date', 'x-request-id', 'ratelimit-reset', 'x-ratelimit-reset'])
      const headers = (res: typeof a) =>
        Object.fromEntries(Object.entries(res.headers).filter(([name]) => !varying.has(name)))
      assert.deepEqual(headers(b), headers(a))
      assert.deepEqual(
        [(await outboxJobs(fresh))[0]?.type, (await outboxJobs(existing))[0]?.type],
        ['verify_email', 'account_exists'],
        'only the mail differs',
      )
    })
  })
}
