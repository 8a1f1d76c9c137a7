import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { REMINDER_AT } from '../src/users/unverified-cleanup.ts'
import { createUser } from './account-fixtures.ts'
import { build, outboxEvents, outboxJobs, stores } from './helper.ts'

/** A clock that stands still unless moved: cooldown answers carry whole seconds, compared byte for byte. */
function stillClock() {
  let at = Date.now()
  return {
    now: () => at,
    advance(seconds: number) {
      at += seconds * 1000
    },
  }
}

const post = (api: FastifyInstance, url: string, email: string) =>
  api.inject({ method: 'POST', url, payload: { email } })

/** The parts of an answer a client sees, with the echoed address put back to `as`. */
const seen = (res: Awaited<ReturnType<typeof post>>, email: string, as: string) => ({
  status: res.statusCode,
  type: res.headers['content-type'],
  retryAfter: res.headers['retry-after'],
  body: res.body.replaceAll(email, as),
})

const mailedTo = async (api: FastifyInstance) =>
  (await outboxJobs(api)).map((job) => `${job.type} ${job.email}`)

for (const store of stores()) {
  describe(`mail to suppressed addresses (${store})`, () => {
    test('register, recover-password and resend-verification answer byte for byte alike, and queue nothing', async (t) => {
      const clock = stillClock()
      const api = await build(t, { store, now: clock.now })
      const open = 'open@example.com'
      const gone = 'gone@example.com'
      await api.db.transaction((tx) =>
        api.suppressions.suppress(tx, {
          email: 'Gone@Example.com',
          reason: 'hard_bounce',
          source: 'webhook',
        }),
      )

      // Each route, for each address, twice: once as a fresh request, once inside its cooldown.
      const steps: [string, string][] = [
        ['/register', 'first'],
        ['/resend-verification', 'inside the cooldown'],
        ['/recover-password', 'first'],
        ['/recover-password', 'inside the cooldown'],
      ]
      for (const [url, when] of steps) {
        const a = await post(api, url, open)
        const b = await post(api, url, gone)
        assert.deepEqual(seen(b, gone, open), seen(a, open, open), `${url}, ${when}`)
      }
      clock.advance(api.env.RESEND_COOLDOWN_SECONDS + 1)
      const a = await post(api, '/resend-verification', open)
      const b = await post(api, '/resend-verification', gone)
      assert.equal(a.statusCode, 202)
      assert.deepEqual(seen(b, gone, open), seen(a, open, open), 'resend-verification after the cooldown')

      assert.deepEqual(await mailedTo(api), [
        `set_password ${open}`,
        `reset_password ${open}`,
        // Registered without a password: a new link to set one.
        `set_password ${open}`,
      ])
      // The account itself exists as for anyone: only its mail is held back, and the product hears of each.
      const account = await api.users.findByEmail(api.db, gone)
      assert.ok(account)
      const suppressed = (await outboxEvents(api)).filter((e) => e.type === 'mail.suppressed')
      assert.deepEqual(
        suppressed.map((e) => [e.user_id, e.data]),
        ['set_password', 'reset_password', 'set_password'].map((kind) => [
          account.id,
          { email: gone, kind, reason: 'hard_bounce' },
        ]),
      )
    })

    test('no reminder goes to a suppressed address; a hard-bounced unconfirmed account goes at the next cleanup', async (t) => {
      const clock = stillClock()
      const api = await build(t, { store, now: clock.now })
      const suppress = (email: string, reason: 'hard_bounce' | 'smtp_rejected' | 'complaint') =>
        api.db.transaction((tx) => api.suppressions.suppress(tx, { email, reason, source: 'smtp' }))
      await createUser(api, 'bounced@example.com', { verified: false })
      await createUser(api, 'refused@example.com', { verified: false })
      await createUser(api, 'complained@example.com', { verified: false })
      await createUser(api, 'confirmed@example.com', { verified: true })
      await createUser(api, 'waiting@example.com', { verified: false })
      await suppress('bounced@example.com', 'hard_bounce')
      await suppress('refused@example.com', 'smtp_rejected')
      await suppress('complained@example.com', 'complaint')
      await suppress('confirmed@example.com', 'hard_bounce')

      const result = await api.unverifiedCleanup.runOnce()
      assert.deepEqual(result, { ran: true, reminded: 0, deleted: 2 })
      const left = await api.db.query<{ email: string }>('SELECT email FROM users ORDER BY email')
      assert.deepEqual(
        left.rows.map((row) => row.email),
        ['complained@example.com', 'confirmed@example.com', 'waiting@example.com'],
      )

      // At reminder time only the address that is not suppressed gets its reminder mail.
      // The clock stood still while the accounts were made: a margin for the real time that took.
      clock.advance(api.env.UNVERIFIED_ACCOUNT_TTL * REMINDER_AT + 600)
      assert.equal((await api.unverifiedCleanup.runOnce()).reminded, 2)
      assert.deepEqual(await mailedTo(api), ['unverified_reminder waiting@example.com'])
    })
  })
}
