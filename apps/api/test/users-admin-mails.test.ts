import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, type TestContext, test } from 'node:test'
import { bearer, createUser, errorCode, login, movableClock } from './account-fixtures.ts'
import { build, outboxJobs, type Store, stores } from './helper.ts'

/** An api with a signed-in admin and a signed-in ordinary user; its info log lines are kept. */
async function withAdmin(t: TestContext, store: Store, now?: () => number) {
  const lines: Record<string, unknown>[] = []
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  const api = await build(t, { store, now, env: { LOG_LEVEL: 'info' }, logStream })
  const admin = await createUser(api, 'admin@example.com', { role: 'admin', verified: true })
  const user = await createUser(api, 'user@example.com', { verified: true })
  const adminTokens = await login(api, 'admin@example.com')
  const userTokens = await login(api, 'user@example.com')
  const post = (access: string | null) => (url: string, payload?: object) =>
    api.inject({
      method: 'POST',
      url,
      headers: access ? bearer(access) : {},
      ...(payload ? { payload } : {}),
    })
  return {
    api,
    admin,
    user,
    lines,
    asAdmin: post(adminTokens.access_token),
    asUser: post(userTokens.access_token),
    anonymous: post(null),
  }
}

for (const store of stores()) {
  describe(`admin mails (${store})`, () => {
    test('POST /users creates an unconfirmed account without a password and queues its invitation, logged with the admin', async (t) => {
      const { api, admin, lines, asAdmin } = await withAdmin(t, store)
      const res = await asAdmin('/users', { email: 'New.Person@Example.com', role: 'admin', locale: 'de' })
      assert.equal(res.statusCode, 201, res.body)
      const { id } = res.json()
      assert.deepEqual(Object.keys(res.json()), ['id'])
      const created = await api.users.findById(api.db, id)
      assert.equal(created?.email, 'New.Person@example.com')
      assert.equal(created?.email_verified_at, null)
      assert.equal(created?.password_hash, null)
      assert.equal(created?.role, 'admin')
      assert.equal(created?.locale, 'de')
      const jobs = await outboxJobs(api)
      assert.deepEqual(
        jobs.map((j) => [j.type, j.email, j.locale]),
        [['invitation', 'New.Person@example.com', 'de']],
      )
      assert.ok(
        lines.some((l) => l.msg === 'admin invited a user' && l.adminId === admin.id && l.userId === id),
      )

      const plain = await asAdmin('/api/v1/auth/users', { email: 'plain@example.com' })
      assert.equal(plain.statusCode, 201)
      const other = await api.users.findById(api.db, plain.json().id)
      assert.equal(other?.role, 'user')
      assert.equal(other?.locale, 'en', 'DEFAULT_LOCALE')
    })

    test('POST /users refuses a taken address with 409, bad input with 422, non-admins with 403 and 401', async (t) => {
      const { api, asAdmin, asUser, anonymous } = await withAdmin(t, store)
      const taken = await asAdmin('/users', { email: 'USER@example.com' })
      assert.equal(taken.statusCode, 409)
      assert.deepEqual(taken.json().error, {
        code: 'EMAIL_TAKEN',
        message: 'An account with this e-mail address already exists',
        field: 'email',
        details: {},
      })
      assert.equal((await asAdmin('/users', { email: 'nope' })).statusCode, 422)
      assert.equal(
        errorCode(await asAdmin('/users', { email: 'x@example.com', role: 'root' })),
        'VALIDATION_ERROR',
      )
      assert.equal(errorCode(await asUser('/users', { email: 'x@example.com' })), 'AUTH_FORBIDDEN')
      assert.equal((await anonymous('/users', { email: 'x@example.com' })).statusCode, 401)
      assert.equal((await outboxJobs(api)).length, 0, 'nothing queued')
      assert.equal(await api.users.findByEmail(api.db, 'x@example.com'), null)
    })

    test('send-reset queues a reset link once per cooldown; 404 for no such user, 403 for non-admins', async (t) => {
      const { api, admin, user, lines, asAdmin, asUser } = await withAdmin(t, store)
      const res = await asAdmin(`/users/${user.id}/send-reset`)
      assert.equal(res.statusCode, 202)
      assert.deepEqual(res.json(), { message: 'Password reset link sent' })
      const [job] = await outboxJobs(api)
      assert.equal(job?.type, 'reset_password')
      assert.equal(job?.email, 'user@example.com')
      assert.ok(lines.some((l) => l.msg === 'admin sent a password reset link' && l.adminId === admin.id))

      const soon = await asAdmin(`/api/v1/auth/users/${user.id}/send-reset`)
      assert.equal(soon.statusCode, 429)
      assert.equal(errorCode(soon), 'AUTH_EMAIL_RESEND_COOLDOWN')
      assert.ok(Number(soon.json().error.details.wait_seconds) > 0)
      assert.equal(
        errorCode(await asAdmin('/users/6b1b8d55-8a0e-4c59-9b59-2a2f1d1f0a01/send-reset')),
        'NOT_FOUND',
      )
      assert.equal(errorCode(await asAdmin('/users/not-a-uuid/send-reset')), 'NOT_FOUND')
      assert.equal(errorCode(await asUser(`/users/${admin.id}/send-reset`)), 'AUTH_FORBIDDEN')
      assert.equal((await outboxJobs(api)).length, 1)
    })

    test('resend-verification: a confirmation for an account with a password, an invitation for one without, 400 once confirmed', async (t) => {
      const { api, user, asAdmin } = await withAdmin(t, store)
      const pending = await createUser(api, 'pending@example.com', { verified: false })
      const invited = (await asAdmin('/users', { email: 'invited@example.com' })).json().id

      assert.equal((await asAdmin(`/users/${pending.id}/resend-verification`)).statusCode, 202)
      const again = await asAdmin(`/users/${invited}/resend-verification`)
      assert.equal(again.statusCode, 202)
      assert.deepEqual(
        (await outboxJobs(api)).map((j) => [j.type, j.email]),
        [
          ['invitation', 'invited@example.com'],
          ['verify_email', 'pending@example.com'],
          ['invitation', 'invited@example.com'],
        ],
      )
      const done = await asAdmin(`/users/${user.id}/resend-verification`)
      assert.equal(done.statusCode, 400)
      assert.equal(errorCode(done), 'AUTH_EMAIL_ALREADY_VERIFIED')
      assert.equal(
        errorCode(await asAdmin(`/users/${pending.id}/resend-verification`)),
        'AUTH_EMAIL_RESEND_COOLDOWN',
      )
    })

    test('the unverified cleanup keeps an invited account until its invitation has expired', async (t) => {
      const clock = movableClock()
      const { api, asAdmin } = await withAdmin(t, store, clock.now)
      const id = (await asAdmin('/users', { email: 'slow@example.com' })).json().id
      const stranger = await createUser(api, 'stranger@example.com', { verified: false })
      // Past UNVERIFIED_ACCOUNT_TTL (2 days) and its reminder, inside INVITE_TTL (7 days).
      await api.db.query(
        `UPDATE users SET created_at = now() - interval '3 days' WHERE id = ANY($1::uuid[])`,
        [[id, stranger.id]],
      )
      await api.unverifiedCleanup.runOnce()
      clock.advance(86_400)
      await api.unverifiedCleanup.runOnce()
      assert.ok(await api.users.findById(api.db, id), 'the invited account is kept')
      assert.equal(await api.users.findById(api.db, stranger.id), null, 'an ordinary one is not')

      clock.advance(7 * 86_400)
      await api.unverifiedCleanup.runOnce()
      const reminded = (await outboxJobs(api)).filter(
        (j) => j.type === 'unverified_reminder' && j.email === 'slow@example.com',
      )
      assert.equal(reminded.length, 1, 'once the invitation has expired, the usual reminder goes out first')
    })
  })
}
