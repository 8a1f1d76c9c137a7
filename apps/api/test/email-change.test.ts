import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { MailJob } from '@authmail/contracts'
import type { FastifyInstance } from 'fastify'
import { emailChanges } from '../src/email-change/email-changes-repository.ts'
import { bearer, createUser, errorCode, login, movableClock, PASSWORD, refresh } from './account-fixtures.ts'
import { build, outboxEvents, outboxJobs, stores } from './helper.ts'

type Job<T extends MailJob['type']> = Extract<MailJob, { type: T }>

const requestChange = (api: FastifyInstance, access: string, new_email: string, password = PASSWORD) =>
  api.inject({
    method: 'POST',
    url: '/me/email',
    headers: bearer(access),
    payload: { new_email, password },
  })

async function lastJob<T extends MailJob['type']>(api: FastifyInstance, type: T): Promise<Job<T>> {
  const job = (await outboxJobs(api)).filter((j) => j.type === type).at(-1)
  assert.ok(job, `no ${type} job in the outbox`)
  return job as Job<T>
}

/** The link the worker would mail for a change: its jti is the pending change's id. */
function changeLink(api: FastifyInstance, job: Job<'email_change'>) {
  const claims = { sub: job.userId, ver: job.credentialVersion, email: job.email, jti: job.changeId }
  return api.tokens.sign('change_email', claims).token
}

function revertLink(api: FastifyInstance, job: Job<'email_changed'>) {
  const claims = { sub: job.userId, ver: job.credentialVersion, email: job.email, jti: job.revertId }
  return api.tokens.sign('revert_email', claims).token
}

/** A signed-in, confirmed account and its first change request (to `to`), answered 202. */
async function accountWithChange(api: FastifyInstance, from: string, to: string) {
  const user = await createUser(api, from, { verified: true })
  const session = await login(api, from)
  const res = await requestChange(api, session.access_token, to)
  assert.equal(res.statusCode, 202, res.body)
  return { user, session, job: await lastJob(api, 'email_change') }
}

for (const store of stores()) {
  describe(`change of address (${store})`, () => {
    test('POST /me/email answers the same bytes whether or not the new address has an account', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now })
      const ann = await createUser(api, 'ann@example.com', { verified: true })
      const bob = await createUser(api, 'bob@example.com', { verified: true })
      const annAccess = (await login(api, ann.email)).access_token
      const bobAccess = (await login(api, bob.email)).access_token

      const free = await requestChange(api, annAccess, 'New.Home@Example.com')
      assert.equal(free.statusCode, 202)
      const change = await lastJob(api, 'email_change')
      assert.equal(change.email, 'New.Home@example.com')
      assert.equal(change.userId, ann.id)
      assert.equal((await api.users.findById(api.db, ann.id))?.email, ann.email, 'nothing changes yet')

      // The address gets an account; past the cooldown Bob asks for the same one.
      const owner = await createUser(api, 'new.home@example.com', { verified: true })
      clock.advance(api.cooldowns.seconds + 1)
      const taken = await requestChange(api, bobAccess, 'New.Home@Example.com')
      assert.equal(taken.statusCode, 202)
      assert.equal(taken.body, free.body, 'byte for byte')
      assert.deepEqual(taken.headers['content-type'], free.headers['content-type'])

      const notice = await lastJob(api, 'email_change_taken')
      assert.equal(notice.email, owner.email)
      assert.deepEqual(await emailChanges.pendingFor(api.db, bob.id, new Date(clock.now()).toISOString()), [])
      assert.equal(
        (await emailChanges.pendingFor(api.db, ann.id, new Date(clock.now()).toISOString())).length,
        1,
      )
    })

    test('a wrong password is refused as POST /me/password refuses it; a repeat inside the cooldown is 429', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'carol@example.com', { verified: true })
      const { access_token } = await login(api, user.email)

      const wrong = await requestChange(api, access_token, 'carol@example.net', 'not-my-password-at-all')
      const samePath = await api.inject({
        method: 'POST',
        url: '/me/password',
        headers: bearer(access_token),
        payload: { current_password: 'not-my-password-at-all', new_password: 'another long passphrase' },
      })
      assert.equal(wrong.statusCode, 401)
      assert.equal(wrong.statusCode, samePath.statusCode)
      const { error } = wrong.json()
      assert.equal(error.code, 'AUTH_INVALID_CREDENTIALS')
      assert.equal(error.message, samePath.json().error.message)
      assert.equal(error.field, 'password')
      assert.equal((await outboxJobs(api)).length, 0, 'no mail')

      const own = await requestChange(api, access_token, 'CAROL@example.com')
      assert.equal(own.statusCode, 422)
      assert.equal(own.json().error.field, 'new_email')
      const anonymous = await api.inject({
        method: 'POST',
        url: '/me/email',
        payload: { new_email: 'x@example.net', password: PASSWORD },
      })
      assert.equal(errorCode(anonymous), 'AUTH_UNAUTHENTICATED')

      assert.equal((await requestChange(api, access_token, 'carol@example.net')).statusCode, 202)
      const again = await requestChange(api, access_token, 'carol@example.net')
      assert.equal(again.statusCode, 429)
      assert.equal(errorCode(again), 'AUTH_EMAIL_RESEND_COOLDOWN')
      assert.ok(Number(again.headers['retry-after']) > 0)
    })

    test('the link page only reads; POST /change-email/:token switches once, notices the old address', async (t) => {
      const api = await build(t, { store })
      const { user, job } = await accountWithChange(api, 'dan@example.com', 'dan@example.net')
      const token = changeLink(api, job)

      for (const method of ['GET', 'HEAD'] as const) {
        const page = await api.inject({ method, url: `/change-email?token=${encodeURIComponent(token)}` })
        assert.equal(page.statusCode, 200)
      }
      const page = await api.inject({
        method: 'GET',
        url: `/change-email?token=${encodeURIComponent(token)}`,
      })
      assert.match(page.body, /dan@example\.net/)
      assert.match(page.body, /<form method="post" action="\/change-email\//)
      assert.equal(
        (await api.users.findById(api.db, user.id))?.email,
        'dan@example.com',
        'GET and HEAD changed nothing',
      )

      const res = await api.inject({ method: 'POST', url: `/api/v1/auth/change-email/${token}`, payload: {} })
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(res.json(), { email: 'dan@example.net' })
      const moved = await api.users.findById(api.db, user.id)
      assert.equal(moved?.email, 'dan@example.net')
      assert.ok(moved?.email_verified_at)

      const notice = await lastJob(api, 'email_changed')
      assert.equal(notice.email, 'dan@example.com', 'the notice goes to the old address')
      assert.equal(notice.newEmail, 'dan@example.net')
      const changed = (await outboxEvents(api)).filter((e) => e.type === 'user.email_changed')
      assert.deepEqual(
        changed.map((e) => [e.user_id, e.data]),
        [[user.id, { old_email: 'dan@example.com', new_email: 'dan@example.net' }]],
      )

      const second = await api.inject({ method: 'POST', url: `/change-email/${token}`, payload: {} })
      assert.equal(second.statusCode, 401)
      assert.equal(errorCode(second), 'AUTH_TOKEN_USED')
      const bad = await api.inject({ method: 'POST', url: '/change-email/not-a-token', payload: {} })
      assert.equal(errorCode(bad), 'AUTH_INVALID_TOKEN')
    })

    test('20 concurrent confirmations of one link: exactly one switches', async (t) => {
      const api = await build(t, { store })
      const { user, job } = await accountWithChange(api, 'erin@example.com', 'erin@example.net')
      const token = changeLink(api, job)
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          api.inject({ method: 'POST', url: `/change-email/${token}`, payload: {} }),
        ),
      )
      const codes = answers.map((r) => r.statusCode).sort()
      assert.deepEqual(codes, [200, ...Array(19).fill(401)])
      assert.ok(answers.filter((r) => r.statusCode === 401).every((r) => errorCode(r) === 'AUTH_TOKEN_USED'))
      assert.equal((await outboxJobs(api)).filter((j) => j.type === 'email_changed').length, 1)
      assert.equal((await api.users.findById(api.db, user.id))?.email, 'erin@example.net')
    })

    test('a newer request supersedes the older: its link and code stop working', async (t) => {
      const api = await build(t, { store })
      const {
        user,
        session,
        job: first,
      } = await accountWithChange(api, 'finn@example.com', 'finn@one.example')
      assert.equal((await requestChange(api, session.access_token, 'finn@two.example')).statusCode, 202)
      const second = await lastJob(api, 'email_change')
      assert.notEqual(second.changeId, first.changeId)

      const old = await api.inject({
        method: 'POST',
        url: `/change-email/${changeLink(api, first)}`,
        payload: {},
      })
      assert.equal(errorCode(old), 'AUTH_TOKEN_USED')
      const oldCode = await api.inject({
        method: 'POST',
        url: '/me/email/code',
        headers: bearer(session.access_token),
        payload: { code: api.tokens.code(first.changeId) },
      })
      assert.equal(errorCode(oldCode), 'AUTH_INVALID_CODE')

      const res = await api.inject({
        method: 'POST',
        url: '/me/email/code',
        headers: bearer(session.access_token),
        payload: { code: api.tokens.code(second.changeId) },
      })
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(res.json(), { email: 'finn@two.example' })
      assert.equal((await api.users.findById(api.db, user.id))?.email, 'finn@two.example')
    })

    test('the code gets 5 tries; the sixth is refused even when right', async (t) => {
      const api = await build(t, { store })
      const { session, job } = await accountWithChange(api, 'gus@example.com', 'gus@example.net')
      const right = api.tokens.code(job.changeId)
      const wrong = right === '000000' ? '111111' : '000000'
      const tryCode = (code: string) =>
        api.inject({
          method: 'POST',
          url: '/api/v1/auth/me/email/code',
          headers: bearer(session.access_token),
          payload: { code },
        })
      for (let left = 4; left >= 0; left--) {
        const res = await tryCode(wrong)
        assert.equal(res.statusCode, 400)
        assert.equal(errorCode(res), 'AUTH_INVALID_CODE')
        assert.equal(res.json().error.details.attempts_left, left)
      }
      const sixth = await tryCode(right)
      assert.equal(sixth.statusCode, 429)
      assert.equal(errorCode(sixth), 'AUTH_CODE_ATTEMPTS_EXCEEDED')
      assert.equal((await api.users.findById(api.db, job.userId))?.email, 'gus@example.com')
    })

    test('an address taken by someone else before confirmation is refused; nothing changes', async (t) => {
      const api = await build(t, { store })
      const { user, session, job } = await accountWithChange(api, 'hal@example.com', 'hal@example.net')
      await createUser(api, 'hal@example.net', { verified: false })
      const res = await api.inject({
        method: 'POST',
        url: `/change-email/${changeLink(api, job)}`,
        payload: {},
      })
      assert.equal(res.statusCode, 409)
      assert.equal(errorCode(res), 'AUTH_EMAIL_TAKEN')
      const code = await api.inject({
        method: 'POST',
        url: '/me/email/code',
        headers: bearer(session.access_token),
        payload: { code: api.tokens.code(job.changeId) },
      })
      assert.equal(errorCode(code), 'AUTH_EMAIL_TAKEN')
      assert.equal((await api.users.findById(api.db, user.id))?.email, 'hal@example.com')
      assert.equal((await outboxJobs(api)).filter((j) => j.type === 'email_changed').length, 0)

      const page = await api.inject({
        method: 'POST',
        url: `/change-email/${changeLink(api, job)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      })
      assert.equal(page.statusCode, 409)
      assert.match(page.headers['content-type'] as string, /text\/html/)
      assert.match(page.body, /belongs to another account/)
    })

    test('two accounts confirming the same new address at once: one moves, the other gets 409', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now })
      const first = await accountWithChange(api, 'kim@example.com', 'shared@example.net')
      clock.advance(api.cooldowns.seconds + 1)
      const second = await accountWithChange(api, 'lee@example.com', 'shared@example.net')
      const answers = await Promise.all(
        [first.job, second.job].map((job) =>
          api.inject({ method: 'POST', url: `/change-email/${changeLink(api, job)}`, payload: {} }),
        ),
      )
      assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 409])
      assert.equal(
        errorCode(answers.find((r) => r.statusCode === 409) as (typeof answers)[number]),
        'AUTH_EMAIL_TAKEN',
      )
      const { rows } = await api.db.query("SELECT 1 FROM users WHERE lower(email) = 'shared@example.net'")
      assert.equal(rows.length, 1)
    })

    test('the revert link restores the old address, ends every session and mails a reset link', async (t) => {
      const api = await build(t, { store })
      const { user, session, job } = await accountWithChange(api, 'ivy@example.com', 'ivy@mover.example')
      const other = await login(api, user.email)
      const moved = await api.inject({
        method: 'POST',
        url: `/change-email/${changeLink(api, job)}`,
        payload: {},
      })
      assert.equal(moved.statusCode, 200)
      const token = revertLink(api, await lastJob(api, 'email_changed'))

      const page = await api.inject({
        method: 'GET',
        url: `/revert-email?token=${encodeURIComponent(token)}`,
      })
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /ivy@example\.com/)
      assert.match(page.body, /<form method="post" action="\/revert-email">/)
      assert.equal(
        (await api.users.findById(api.db, user.id))?.email,
        'ivy@mover.example',
        'GET changed nothing',
      )

      const res = await api.inject({
        method: 'POST',
        url: '/revert-email',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${encodeURIComponent(token)}`,
      })
      assert.equal(res.statusCode, 200)
      assert.match(res.body, /ivy@example\.com/)
      const restored = await api.users.findById(api.db, user.id)
      assert.equal(restored?.email, 'ivy@example.com')
      assert.equal(restored?.credential_version, user.credential_version + 1)
      assert.equal(restored?.password_hash, null, 'whoever moved it knew the password')

      for (const s of [session, other]) {
        assert.equal((await refresh(api, s.refresh_token)).statusCode, 401, 'every session ended')
        const me = await api.inject({ method: 'GET', url: '/me', headers: bearer(s.access_token) })
        assert.equal(me.statusCode, 401)
      }
      const reset = await lastJob(api, 'reset_password')
      assert.equal(reset.email, 'ivy@example.com')
      assert.equal(reset.credentialVersion, restored?.credential_version)

      const again = await api.inject({ method: 'POST', url: '/api/v1/auth/revert-email', payload: { token } })
      assert.equal(again.statusCode, 401)
      assert.equal(errorCode(again), 'AUTH_TOKEN_USED')
    })

    test('retention keeps a change through its revert window and the outbox retention, then deletes it', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now })
      const { job } = await accountWithChange(api, 'jay@example.com', 'jay@example.net')
      const done = await api.inject({
        method: 'POST',
        url: `/change-email/${changeLink(api, job)}`,
        payload: {},
      })
      assert.equal(done.statusCode, 200)
      clock.advance(api.env.REVERT_EMAIL_TTL)
      assert.equal(
        (await api.retention.runOnce()).email_changes,
        0,
        'the revert link may still be in a late mail',
      )
      clock.advance(api.env.OUTBOX_RETENTION + 1)
      assert.equal((await api.retention.runOnce()).email_changes, 1)
      assert.equal(await emailChanges.find(api.db, job.changeId), null)
    })
  })
}
