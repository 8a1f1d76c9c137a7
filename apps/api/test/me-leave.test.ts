import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { codeAttempts } from '../src/verification/code-attempts-repository.ts'
import { codeFailures } from '../src/verification/code-failures-repository.ts'
import { bearer, createUser, errorCode, login, PASSWORD, refresh } from './account-fixtures.ts'
import { build, outboxJobs, stores } from './helper.ts'

/**
 * Every row of every table of the schema (from information_schema, so tables
 * added later are covered) whose text names the user's id or address.
 */
async function rowsNaming(api: FastifyInstance, user: { id: string; email: string }) {
  const { rows: tables } = await api.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  )
  const found: { table: string; row: string }[] = []
  for (const { table_name } of tables) {
    const { rows } = await api.db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`)
    for (const { row } of rows) {
      const text = row.toLowerCase()
      if (text.includes(user.id) || text.includes(user.email.toLowerCase())) {
        found.push({ table: table_name, row })
      }
    }
  }
  return found
}

/**
 * The suppression list is about a mailbox, not an account: it stays when the
 * account goes, so a dead or complaining address is not mailed again (docs/bounces.md).
 */
const KEPT_FOR_THE_ADDRESS = new Set(['suppressions', 'soft_bounces'])

/** The tables in information_schema with a column naming a user or an address. */
async function tablesWithUserColumns(api: FastifyInstance): Promise<string[]> {
  const { rows } = await api.db.query<{ table_name: string }>(
    `SELECT DISTINCT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
        AND (c.column_name = 'user_id' OR c.column_name LIKE '%email%')
      ORDER BY 1`,
  )
  return rows.map((r) => r.table_name).filter((table) => !KEPT_FOR_THE_ADDRESS.has(table))
}

/** Leaves a trace of `user` in every table the api writes about an account. */
async function useTheAccount(api: FastifyInstance, user: { id: string; email: string }) {
  const { email } = user
  // A mail to the address before the account existed, as the worker reported it.
  await api.deliveries.record(api.db, {
    jobId: randomUUID(),
    type: 'no_account',
    userId: null,
    email,
    purpose: null,
    tokenId: null,
    tokenExpiresAt: null,
    status: 'sent',
    at: new Date().toISOString(),
    error: null,
  })
  const tokenId = randomUUID()
  await api.deliveries.record(api.db, {
    jobId: randomUUID(),
    type: 'verify_email',
    userId: user.id,
    email,
    purpose: 'verify_email',
    tokenId,
    tokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    status: 'sent',
    at: new Date().toISOString(),
    error: null,
  })
  await codeAttempts.count(
    api.db,
    { token_id: tokenId, expires_at: new Date(Date.now() + 86_400_000) },
    user.id,
  )
  await codeFailures.record(api.db, email, new Date(), 86_400)
  await api.db.query(
    `INSERT INTO used_tokens (jti, user_id, expires_at) VALUES (gen_random_uuid(), $1, now() + interval '1 day')`,
    [user.id],
  )
  const recover = await api.inject({ method: 'POST', url: '/recover-password', payload: { email } })
  assert.equal(recover.statusCode, 202)
  const signInCode = await api.inject({ method: 'POST', url: '/login/email', payload: { email } })
  assert.equal(signInCode.statusCode, 202)
  const sessions = { tokenId, first: await login(api, email), second: await login(api, email) }
  const move = await api.inject({
    method: 'POST',
    url: '/me/email',
    headers: bearer(sessions.first.access_token),
    payload: { new_email: `moved-${email}`, password: PASSWORD },
  })
  assert.equal(move.statusCode, 202, move.body)
  // After the sign-ins, which clear the count: this wrong password stays counted.
  const wrong = await api.inject({
    method: 'POST',
    url: '/login',
    payload: { email, password: 'wrong-guess-1' },
  })
  assert.equal(wrong.statusCode, 401)
  return sessions
}

const deleteMe = (api: FastifyInstance, accessToken: string, password: string, url = '/me') =>
  api.inject({ method: 'DELETE', url, headers: bearer(accessToken), payload: { password } })

for (const store of stores()) {
  describe(`leaving: DELETE /me and GET /me/export (${store})`, () => {
    test('a deleted account leaves no row naming it in any table, but its farewell mail job', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'Ann.Leaving@example.com', { verified: true })
      const bystander = await createUser(api, 'bob@example.com', { verified: true })
      const { first, second } = await useTheAccount(api, user)
      await useTheAccount(api, bystander)

      // The scan sees the traces before, so an empty scan after means they are gone.
      const before = new Set((await rowsNaming(api, user)).map((r) => r.table))
      for (const table of await tablesWithUserColumns(api)) {
        assert.ok(before.has(table), `the setup leaves a row naming the user in ${table}`)
      }
      assert.ok(before.has('outbox'))

      const res = await deleteMe(api, second.access_token, PASSWORD, '/api/v1/auth/me')
      assert.equal(res.statusCode, 204, res.body)
      assert.equal(res.body, '')

      // Left: the farewell mail's job and the user.deleted event, both in the outbox.
      const left = await rowsNaming(api, user)
      assert.deepEqual(
        left.map((r) => r.table),
        ['outbox', 'outbox'],
        `rows left: ${JSON.stringify(left, null, 2)}`,
      )
      const { rows: deletedEvents } = await api.db.query<{ payload: { type: string; user_id: string } }>(
        `SELECT payload FROM outbox WHERE kind = 'event' AND payload->>'user_id' = $1`,
        [user.id],
      )
      assert.deepEqual(
        deletedEvents.map((r) => r.payload.type),
        ['user.deleted'],
      )
      const farewell = (await outboxJobs(api)).find((job) => job.type === 'account_deleted')
      assert.deepEqual(farewell && { ...farewell, id: '' }, {
        id: '',
        type: 'account_deleted',
        email: 'Ann.Leaving@example.com',
        locale: 'en',
      })
      const farewellRow = left.find((r) => r.row.includes('account_deleted'))
      assert.ok(
        farewellRow && !farewellRow.row.includes(user.id),
        'the farewell job does not name the account',
      )

      // Every session ended: the access tokens name a missing account, the refresh tokens are gone.
      for (const session of [first, second]) {
        const me = await api.inject({ method: 'GET', url: '/me', headers: bearer(session.access_token) })
        assert.equal(errorCode(me), 'AUTH_INVALID_TOKEN')
        assert.equal((await refresh(api, session.refresh_token)).statusCode, 401)
      }
      const signIn = await api.inject({
        method: 'POST',
        url: '/login',
        payload: { email: user.email, password: PASSWORD },
      })
      assert.equal(errorCode(signIn), 'AUTH_INVALID_CREDENTIALS')

      // Nobody else's data went with it.
      const others = new Set((await rowsNaming(api, bystander)).map((r) => r.table))
      assert.deepEqual(others, new Set([...before]))
    })

    test('a wrong password is refused as POST /me/password refuses it, and nothing is deleted', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'carol@example.com', { verified: true })
      const { access_token } = await login(api, 'carol@example.com')
      const wrong = await deleteMe(api, access_token, 'not-my-password')
      const wrongChange = await api.inject({
        method: 'POST',
        url: '/me/password',
        headers: bearer(access_token),
        payload: { current_password: 'not-my-password', new_password: 'a-brand-new-secret-9' },
      })
      assert.equal(wrong.statusCode, 401)
      assert.equal(wrong.statusCode, wrongChange.statusCode)
      assert.equal(errorCode(wrong), 'AUTH_INVALID_CREDENTIALS')
      assert.equal(wrong.json().error.message, wrongChange.json().error.message)
      assert.equal(wrong.json().error.field, 'password')

      const missing = await api.inject({
        method: 'DELETE',
        url: '/me',
        headers: bearer(access_token),
        payload: {},
      })
      assert.equal(missing.statusCode, 422)
      assert.equal(missing.json().error.field, 'password')
      const anonymous = await api.inject({ method: 'DELETE', url: '/me', payload: { password: PASSWORD } })
      assert.equal(errorCode(anonymous), 'AUTH_UNAUTHENTICATED')

      assert.ok(await api.users.findByEmail(api.db, 'carol@example.com'))
      assert.deepEqual(
        (await outboxJobs(api)).map((job) => job.type),
        [],
      )
    })

    test('the last admin cannot delete itself; once another admin exists it can', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'root@example.com', { verified: true, role: 'admin' })
      const { access_token } = await login(api, 'root@example.com')
      const refused = await deleteMe(api, access_token, PASSWORD)
      assert.equal(refused.statusCode, 409)
      assert.equal(errorCode(refused), 'LAST_ADMIN')
      assert.ok(await api.users.findByEmail(api.db, 'root@example.com'))

      await createUser(api, 'second-admin@example.com', { verified: true, role: 'admin' })
      assert.equal((await deleteMe(api, access_token, PASSWORD)).statusCode, 204)
      assert.equal(await api.users.findByEmail(api.db, 'root@example.com'), null)
    })

    test('GET /me/export holds profile, sessions and mails, and no password hash, token or hash', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'dora@example.com', { verified: true })
      const { tokenId, first, second } = await useTheAccount(api, user)

      const anonymous = await api.inject({ method: 'GET', url: '/me/export' })
      assert.equal(errorCode(anonymous), 'AUTH_UNAUTHENTICATED')

      const res = await api.inject({
        method: 'GET',
        url: '/api/v1/auth/me/export',
        headers: bearer(first.access_token),
      })
      assert.equal(res.statusCode, 200, res.body)
      assert.match(String(res.headers['content-disposition']), /attachment/)
      const doc = res.json()
      assert.equal(doc.profile.id, user.id)
      assert.equal(doc.profile.email, 'dora@example.com')
      assert.equal(doc.sessions.length, 2)
      assert.deepEqual(doc.mails_sent.map((m: { type: string }) => m.type).sort(), [
        'no_account',
        'verify_email',
      ])
      assert.deepEqual(
        doc.mails_queued.map((m: { type: string }) => m.type),
        ['reset_password', 'login_code', 'email_change'],
      )
      assert.deepEqual(
        doc.mail_cooldowns.map((c: { kind: string }) => c.kind),
        ['login', 'recovery'],
      )
      assert.deepEqual(
        doc.pending_email_changes.map((c: { new_email: string }) => c.new_email),
        ['moved-dora@example.com'],
      )
      assert.equal(doc.failed_sign_ins.count, 1)
      assert.ok(Date.parse(doc.exported_at) > 0)

      const keys: string[] = []
      const walk = (value: unknown) => {
        if (Array.isArray(value)) value.forEach(walk)
        else if (value && typeof value === 'object') {
          for (const [key, inner] of Object.entries(value)) {
            keys.push(key)
            walk(inner)
          }
        }
      }
      walk(doc)
      assert.deepEqual(
        keys.filter((key) => /password|hash|token|secret|jti/i.test(key)),
        [],
      )
      const stored = await api.users.findById(api.db, user.id)
      for (const secret of [
        stored?.password_hash ?? 'no hash',
        tokenId,
        first.refresh_token,
        second.refresh_token,
        first.access_token,
        'argon2',
      ]) {
        assert.ok(!res.body.includes(secret), `the export shows ${secret.slice(0, 12)}…`)
      }
    })
  })
}
