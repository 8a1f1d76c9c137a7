import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import pg from 'pg'
import { CLEANUP_LOCK } from '../src/users/unverified-cleanup.ts'
import { createUser, movableClock } from './account-fixtures.ts'
import { build, collectJobs, freshDatabase, stores } from './helper.ts'

/** Long enough that the real time a test takes never crosses a threshold by itself. */
const TTL = { UNVERIFIED_ACCOUNT_TTL: '1000' }

const reminderRows = async (api: Awaited<ReturnType<typeof build>>) =>
  (await api.db.query(`SELECT 1 FROM outbox WHERE payload->>'type' = 'unverified_reminder'`)).rows.length

for (const store of stores()) {
  describe(`unverified cleanup (${store})`, () => {
    test('an unconfirmed account is reminded once at 75% of the TTL and deleted with its tokens after it', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: TTL })
      const collector = await collectJobs(t, api)
      await api.inject({ method: 'POST', url: '/register', payload: { email: 'late@example.com' } })
      const late = await api.users.findByEmail(api.db, 'late@example.com')
      assert.ok(late)
      const confirmed = await createUser(api, 'done@example.com', { verified: true })
      await api.db.query('UPDATE users SET created_at = $2 WHERE id = $1', [confirmed.id, late.created_at])

      assert.deepEqual(await api.unverifiedCleanup.runOnce(), { ran: true, reminded: 0, deleted: 0 })
      clock.advance(751)
      assert.deepEqual(await api.unverifiedCleanup.runOnce(), { ran: true, reminded: 1, deleted: 0 })
      assert.deepEqual(await api.unverifiedCleanup.runOnce(), { ran: true, reminded: 0, deleted: 0 })
      assert.equal(await reminderRows(api), 1)

      const jobs = await collector.waitFor(2)
      const reminder = jobs.find((job) => job.type === 'unverified_reminder')
      assert.ok(reminder?.type === 'unverified_reminder')
      assert.equal(reminder.userId, late.id)
      assert.equal(reminder.credentialVersion, late.credential_version)
      assert.equal(
        reminder.linkPurpose,
        'set_password',
        'registered without a password: the reminder sets one',
      )
      // The TTL after creation, but never less than its last quarter after the reminder.
      const { rows } = await api.db.query<{ at: Date }>(
        'SELECT unverified_reminder_sent_at AS at FROM users WHERE id = $1',
        [late.id],
      )
      const deleteAt = Math.max(
        new Date(late.created_at).getTime() + 1_000_000,
        new Date(rows[0]?.at ?? 0).getTime() + 250_000,
      )
      assert.equal(Date.parse(reminder.deleteAt), deleteAt)

      // Tokens that belong to the account must go with it.
      await api.sessions.start(api.db, late, { userAgent: null, ip: null })
      await api.db.query(
        `INSERT INTO used_tokens (jti, user_id, expires_at) VALUES (gen_random_uuid(), $1, now())`,
        [late.id],
      )

      clock.advance((deleteAt - clock.now()) / 1000 - 10)
      assert.equal((await api.unverifiedCleanup.runOnce()).deleted, 0)
      clock.advance(11)
      assert.deepEqual(await api.unverifiedCleanup.runOnce(), { ran: true, reminded: 0, deleted: 1 })
      assert.equal(await api.users.findById(api.db, late.id), null)
      assert.ok(await api.users.findById(api.db, confirmed.id))
      for (const table of ['refresh_tokens', 'used_tokens']) {
        const left: { rows: unknown[] } = await api.db.query(`SELECT 1 FROM ${table} WHERE user_id = $1`, [
          late.id,
        ])
        assert.equal(left.rows.length, 0, table)
      }
    })

    test('an account that lost its confirmation late still gets the reminder before deletion', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: TTL })
      const user = await createUser(api, 'old@example.com', { verified: true })
      await api.db.query(
        `UPDATE users SET email_verified_at = NULL, created_at = now() - interval '10 days' WHERE id = $1`,
        [user.id],
      )
      assert.deepEqual(await api.unverifiedCleanup.runOnce(), { ran: true, reminded: 1, deleted: 0 })
      clock.advance(240)
      assert.equal((await api.unverifiedCleanup.runOnce()).deleted, 0)
      clock.advance(11)
      assert.equal((await api.unverifiedCleanup.runOnce()).deleted, 1)
    })

    test('admins and confirmed accounts are never removed', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: TTL })
      await createUser(api, 'admin@example.com', { role: 'admin', verified: false })
      await createUser(api, 'ok@example.com', { verified: true })
      clock.advance(10_000)
      await api.unverifiedCleanup.runOnce()
      clock.advance(10_000)
      assert.deepEqual(await api.unverifiedCleanup.runOnce(), { ran: true, reminded: 0, deleted: 0 })
      assert.equal((await api.db.query('SELECT 1 FROM users')).rows.length, 2)
    })
  })
}

describe('unverified cleanup across instances', () => {
  test('one instance cleans at a time (advisory lock), and each reminder is sent once', {
    skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (PostgreSQL)',
  }, async (t) => {
    const clock = movableClock()
    const databaseUrl = await freshDatabase(t)
    const a = await build(t, { databaseUrl, now: clock.now, env: TTL })
    const b = await build(t, { databaseUrl, now: clock.now, env: TTL })
    for (const name of ['u1', 'u2', 'u3']) await createUser(a, `${name}@example.com`, { verified: false })
    clock.advance(751)

    const holder = new pg.Client({ connectionString: databaseUrl })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('SELECT pg_advisory_xact_lock($1)', [CLEANUP_LOCK])
      assert.deepEqual(await a.unverifiedCleanup.runOnce(), { ran: false, reminded: 0, deleted: 0 })
      assert.deepEqual(await b.unverifiedCleanup.runOnce(), { ran: false, reminded: 0, deleted: 0 })
      assert.equal(await reminderRows(a), 0)
      await holder.query('COMMIT')
    } finally {
      // Ended here: the database is dropped (with FORCE) when the test ends.
      await holder.end()
    }

    const results = await Promise.all([a.unverifiedCleanup.runOnce(), b.unverifiedCleanup.runOnce()])
    assert.equal(results[0].reminded + results[1].reminded, 3, JSON.stringify(results))
    assert.equal(await reminderRows(a), 3)
  })
})
