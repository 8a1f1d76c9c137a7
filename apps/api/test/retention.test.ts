import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { usedTokens } from '../src/link-tokens/used-tokens-repository.ts'
import { runRetentionOnce } from '../src/retention/retention.ts'
import { codeAttempts } from '../src/verification/code-attempts-repository.ts'
import { movableClock } from './account-fixtures.ts'
import { build, stores } from './helper.ts'
import { waitUntil } from './verification-helper.ts'

const TABLES = [
  'outbox',
  'used_tokens',
  'mail_cooldowns',
  'verification_code_attempts',
  'mail_deliveries',
] as const

async function sizes(api: FastifyInstance): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of TABLES) {
    const { rows } = await api.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)
    out[table] = Number(rows[0]?.n)
  }
  return out
}

const BURST = 25
const HOUR = 3600

for (const store of stores()) {
  describe(`retention (${store})`, () => {
    test('after a burst the tables shrink back once the clock passes each retention', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: { OUTBOX_RETENTION: String(7 * 24 * HOUR) } })

      // A burst: registrations (users, outbox rows, cooldowns), used links, code tries, receipts.
      for (let i = 0; i < BURST; i++) {
        const res = await api.inject({
          method: 'POST',
          url: '/register',
          payload: { email: `b${i}@example.com` },
        })
        assert.equal(res.statusCode, 202)
      }
      await waitUntil(async () => ((await api.relay.lag()).pending === 0 ? true : undefined))
      const users = (await api.db.query<{ id: string }>('SELECT id FROM users')).rows
      const expires = new Date(clock.now() + HOUR * 1000)
      for (const { id } of users) {
        await usedTokens.markUsed(api.db, { jti: randomUUID(), userId: id, exp: expires.getTime() / 1000 })
        await codeAttempts.count(api.db, { token_id: randomUUID(), expires_at: expires }, id)
      }
      for (let i = 0; i < BURST; i++) {
        // Receipts for addresses without an account (or of an account deleted since).
        await api.deliveries.record(api.db, {
          jobId: randomUUID(),
          type: 'no_account',
          userId: null,
          email: `gone${i}@example.com`,
          purpose: null,
          tokenId: null,
          tokenExpiresAt: null,
          status: 'sent',
          error: null,
          at: new Date().toISOString(),
        } as Parameters<typeof api.deliveries.record>[1])
      }
      const burst = await sizes(api)
      // Each registration wrote a mail job and a user.registered event to the outbox.
      const rowsPer = (table: string) => (table === 'outbox' ? 2 : 1)
      for (const table of TABLES) assert.equal(burst[table], BURST * rowsPer(table), table)

      // Nothing has reached its end yet: everything stays.
      const early = await runRetentionOnce({ ...deps(api, clock.now), batch: 7 })
      assert.deepEqual(await sizes(api), burst)
      assert.equal(early.ran, true)

      // Two hours on: tokens, code tries and cooldowns (300 s) are past; outbox rows are kept for a week.
      clock.advance(2 * HOUR)
      const later = await runRetentionOnce({ ...deps(api, clock.now), batch: 7 })
      assert.deepEqual(later, {
        ran: true,
        outbox: 0,
        used_tokens: BURST,
        mail_cooldowns: BURST,
        verification_code_attempts: BURST,
        mail_deliveries: 0,
        email_changes: 0,
      })

      // A week on, through the app's own job: published rows and receipts without an account go too.
      clock.advance(7 * 24 * HOUR)
      const week = await api.retention.runOnce()
      assert.equal(week.outbox, 2 * BURST)
      assert.equal(week.mail_deliveries, BURST)
      assert.deepEqual(await sizes(api), {
        outbox: 0,
        used_tokens: 0,
        mail_cooldowns: 0,
        verification_code_attempts: 0,
        mail_deliveries: 0,
      })
    })

    test('an unpublished outbox row is never deleted, however old', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now })
      await api.db.query(
        `INSERT INTO outbox (id, payload, created_at, claimed_until)
         VALUES ($1, '{}', now() - interval '30 days', now() + interval '1 hour')`,
        [randomUUID()],
      )
      clock.advance(60 * 24 * HOUR)
      assert.equal((await api.retention.runOnce()).outbox, 0)
      assert.equal((await sizes(api)).outbox, 1)
    })
  })
}

function deps(api: FastifyInstance, now: () => number) {
  return {
    db: api.db,
    cooldowns: api.cooldowns,
    deliveries: api.deliveries,
    outboxRetentionSeconds: api.env.OUTBOX_RETENTION,
    now,
  }
}
