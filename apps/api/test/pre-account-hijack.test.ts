import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { MailJob } from '@authmail/contracts'
import type { FastifyInstance } from 'fastify'
import { createUser, movableClock } from './account-fixtures.ts'
import { build, stores } from './helper.ts'

const ATTACKER_PASSWORD = 'attacker-chose-this-one-88'
const OWNER_PASSWORD = 'owner-chose-this-one-42'
const NO_COOLDOWN = { RESEND_COOLDOWN_SECONDS: '0' }

const register = (api: FastifyInstance, email: string, password?: string) =>
  api.inject({ method: 'POST', url: '/register', payload: { email, ...(password ? { password } : {}) } })

const signIn = (api: FastifyInstance, email: string, password: string) =>
  api.inject({ method: 'POST', url: '/login', payload: { email, password } })

async function jobsTo(api: FastifyInstance, email: string): Promise<MailJob[]> {
  const { rows } = await api.db.query<{ payload: MailJob }>(
    "SELECT payload FROM outbox WHERE payload->>'email' = $1 ORDER BY created_at",
    [email],
  )
  return rows.map((row) => row.payload)
}

for (const store of stores()) {
  describe(`pre-account hijack (${store})`, () => {
    test('a second registration mails a set-password link; the first link no longer confirms the first password', async (t) => {
      const api = await build(t, { store, env: NO_COOLDOWN })
      const email = 'victim@example.com'
      assert.equal((await register(api, email, ATTACKER_PASSWORD)).statusCode, 202)
      const first = await api.users.findByEmail(api.db, email)
      assert.ok(first)
      // The link the first mail carried, as the worker would mint it.
      const firstLink = api.tokens.sign('verify_email', {
        sub: first.id,
        ver: first.credential_version,
        email: first.email,
      }).token

      assert.equal((await register(api, email, OWNER_PASSWORD)).statusCode, 202)
      const jobs = await jobsTo(api, email)
      assert.deepEqual(
        jobs.map((job) => job.type),
        ['verify_email', 'set_password'],
      )

      // The owner confirms with whichever link she finds first: the first registrant's password is gone.
      const confirmed = await api.inject({ method: 'POST', url: `/verify-email/${firstLink}` })
      assert.equal(confirmed.statusCode, 200, confirmed.body)
      assert.equal((await signIn(api, email, ATTACKER_PASSWORD)).statusCode, 401)
      assert.equal(
        (await signIn(api, email, OWNER_PASSWORD)).statusCode,
        401,
        'a registration never sets a password',
      )

      // The set-password link of the second mail gives the account the owner's password.
      const second = jobs[1]
      assert.ok(second?.type === 'set_password')
      const setLink = api.tokens.sign('set_password', {
        sub: second.userId,
        ver: second.credentialVersion,
        email: second.email,
      }).token
      const set = await api.inject({
        method: 'POST',
        url: '/set-password',
        payload: { token: setLink, password: OWNER_PASSWORD },
      })
      assert.equal(set.statusCode, 200, set.body)
      assert.equal((await signIn(api, email, OWNER_PASSWORD)).statusCode, 200)
    })

    test('inside the cooldown a second registration sends nothing but still drops the first password', async (t) => {
      const api = await build(t, { store })
      await register(api, 'quick@example.com', ATTACKER_PASSWORD)
      await register(api, 'quick@example.com', OWNER_PASSWORD)
      assert.equal((await jobsTo(api, 'quick@example.com')).length, 1)
      const user = await api.users.findByEmail(api.db, 'quick@example.com')
      assert.equal(user?.password_hash, null)
    })

    test('answers are byte-identical for a new, an unconfirmed and a confirmed address', async (t) => {
      const api = await build(t, { store, env: NO_COOLDOWN })
      const email = 'same@example.com'
      const fresh = await register(api, email, ATTACKER_PASSWORD)
      const unconfirmed = await register(api, email, OWNER_PASSWORD)
      const withoutPassword = await register(api, email)
      await api.db.query('UPDATE users SET email_verified_at = now() WHERE lower(email) = $1', [email])
      const confirmed = await register(api, email, OWNER_PASSWORD)
      for (const res of [unconfirmed, withoutPassword, confirmed]) {
        assert.equal(res.statusCode, fresh.statusCode)
        assert.equal(res.body, fresh.body)
      }
    })

    test('the reminder of an unconfirmed account that has a password carries a set-password link', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: { UNVERIFIED_ACCOUNT_TTL: '1000' } })
      const user = await createUser(api, 'pending@example.com', { verified: false })
      assert.ok(user.password_hash)
      clock.advance(751)
      assert.equal((await api.unverifiedCleanup.runOnce()).reminded, 1)
      const [reminder] = await jobsTo(api, 'pending@example.com')
      assert.ok(reminder?.type === 'unverified_reminder')
      assert.equal(reminder.linkPurpose, 'set_password')
    })
  })
}
