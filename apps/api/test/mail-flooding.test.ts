import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { register as metrics } from '../src/metrics.ts'
import { mailboxKey } from '../src/users/email.ts'
import { movableClock } from './account-fixtures.ts'
import { build, stores } from './helper.ts'

const post = (api: FastifyInstance, url: string, email: string) =>
  api.inject({ method: 'POST', url, payload: { email } })

async function mailsTo(api: FastifyInstance, pattern: string): Promise<string[]> {
  const { rows } = await api.db.query<{ email: string }>(
    "SELECT payload->>'email' AS email FROM outbox WHERE payload->>'email' LIKE $1 ORDER BY created_at",
    [pattern],
  )
  return rows.map((row) => row.email)
}

async function dropped(reason: string): Promise<number> {
  const metric = await metrics.getSingleMetric('authmail_mails_dropped_total')?.get()
  return metric?.values.find((value) => value.labels.reason === reason)?.value ?? 0
}

describe('mailbox key', () => {
  test('drops the +tag and case, and nothing else', () => {
    assert.equal(mailboxKey('Flood+6@Example.com'), 'flood@example.com')
    assert.equal(mailboxKey('first.last@example.com'), 'first.last@example.com')
    assert.equal(mailboxKey('+only@example.com'), '+only@example.com')
  })
})

for (const store of stores()) {
  describe(`mail flooding (${store})`, () => {
    test('+tag variants of one address share its cooldown: one mail, the same answers', async (t) => {
      const api = await build(t, { store })
      const answers = []
      for (let i = 1; i <= 6; i++) answers.push(await post(api, '/register', `flood+${i}@example.com`))
      for (const res of answers) assert.equal(res.statusCode, 202)
      assert.deepEqual(await mailsTo(api, 'flood%'), ['flood+1@example.com'])
      const resend = await post(api, '/resend-verification', 'flood+3@example.com')
      assert.equal(resend.statusCode, 429)
      // The accounts themselves stay apart: the tag is only ignored for the cooldown.
      const { rows } = await api.db.query("SELECT 1 FROM users WHERE email LIKE 'flood+%'")
      assert.equal(rows.length, 6)
    })

    test('past the per-domain budget requests answer the same 202 and the mail is dropped and counted', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: { MAIL_BUDGET_PER_DOMAIN_PER_MINUTE: '2' } })
      const before = await dropped('domain_budget')
      const answers = []
      for (const name of ['a', 'b', 'c']) answers.push(await post(api, '/register', `${name}@flood.example`))
      const recover = await post(api, '/recover-password', 'd@flood.example')
      for (const res of answers) assert.equal(res.statusCode, 202)
      // The dropped one answers byte for byte like the sent one, but for the address it echoes.
      assert.equal(answers[2]?.body, answers[0]?.body.replace('a@flood', 'c@flood'))
      assert.equal(recover.statusCode, 202)
      assert.deepEqual(await mailsTo(api, '%@flood.example'), ['a@flood.example', 'b@flood.example'])
      assert.equal((await dropped('domain_budget')) - before, 2)
      // Other domains have budgets of their own; the next minute has a new one.
      await post(api, '/register', 'a@other.example')
      assert.deepEqual(await mailsTo(api, '%@other.example'), ['a@other.example'])
      clock.advance(60)
      await post(api, '/register', 'e@flood.example')
      assert.equal((await mailsTo(api, '%@flood.example')).length, 3)
    })

    test('past the global budget mails to every domain are dropped', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: { MAIL_BUDGET_PER_MINUTE: '3' } })
      const before = await dropped('global_budget')
      for (const domain of ['a', 'b', 'c', 'd']) {
        assert.equal((await post(api, '/register', `x@${domain}.example`)).statusCode, 202)
      }
      assert.equal((await mailsTo(api, 'x@%')).length, 3)
      assert.equal((await dropped('global_budget')) - before, 1)
    })

    test('a flood on one domain spends none of the global budget once its own is spent', async (t) => {
      const clock = movableClock()
      const env = { MAIL_BUDGET_PER_MINUTE: '3', MAIL_BUDGET_PER_DOMAIN_PER_MINUTE: '2' }
      const api = await build(t, { store, now: clock.now, env })
      for (const name of ['a', 'b', 'c', 'd', 'e']) await post(api, '/register', `${name}@flood.example`)
      assert.equal((await mailsTo(api, '%@flood.example')).length, 2)
      // Two of the three global slots went to flood.example; the refused ones took none.
      await post(api, '/register', 'a@other.example')
      assert.deepEqual(await mailsTo(api, '%@other.example'), ['a@other.example'])
    })

    test('registrations inside the cooldown spend no budget', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: { MAIL_BUDGET_PER_DOMAIN_PER_MINUTE: '2' } })
      for (const email of ['a@pause.example', 'a+1@pause.example', 'A@pause.example', 'b@pause.example']) {
        assert.equal((await post(api, '/register', email)).statusCode, 202)
      }
      assert.deepEqual(await mailsTo(api, '%@pause.example'), ['a@pause.example', 'b@pause.example'])
      const { rows } = await api.db.query<{ queued: number }>(
        "SELECT queued FROM mail_budgets WHERE scope = '@pause.example'",
      )
      assert.deepEqual(rows, [{ queued: 2 }])
    })

    test('concurrent registrations past the budget queue exactly its number of mails', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: { MAIL_BUDGET_PER_DOMAIN_PER_MINUTE: '3' } })
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(api, '/register', `n${i}@crowd.example`)),
      )
      for (const res of answers) assert.equal(res.statusCode, 202)
      assert.equal((await mailsTo(api, '%@crowd.example')).length, 3)
      const { rows } = await api.db.query<{ queued: number }>(
        "SELECT queued FROM mail_budgets WHERE scope = '@crowd.example'",
      )
      assert.deepEqual(rows, [{ queued: 3 }])
    })

    if (store === 'postgres') {
      test('two api instances on one database share the budgets', async (t) => {
        const clock = movableClock()
        const env = { MAIL_BUDGET_PER_DOMAIN_PER_MINUTE: '2' }
        const first = await build(t, { store, now: clock.now, env })
        const { rows } = await first.db.query<{ db: string }>('SELECT current_database() AS db')
        const url = new URL(process.env.DATABASE_URL as string)
        url.pathname = `/${rows[0]?.db}`
        const second = await build(t, { now: clock.now, env, databaseUrl: url.toString() })
        await post(first, '/register', 'a@shared.example')
        await post(second, '/register', 'b@shared.example')
        await post(first, '/register', 'c@shared.example')
        await post(second, '/register', 'd@shared.example')
        assert.equal((await mailsTo(first, '%@shared.example')).length, 2)
      })
    }
  })
}
