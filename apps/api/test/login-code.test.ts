import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { MailJob } from '@authmail/contracts'
import type { FastifyInstance } from 'fastify'
import { createUser, errorCode, movableClock, refresh } from './account-fixtures.ts'
import { build, outboxJobs, stores } from './helper.ts'

type LoginJob = Extract<MailJob, { type: 'login_code' }>

/** A code other than `code`, so a "wrong code" test cannot pass by luck. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

const askCode = (api: FastifyInstance, email: string, prefix = '') =>
  api.inject({ method: 'POST', url: `${prefix}/login/email`, payload: { email } })

/** Each try from its own client, so the per-client sign-in lockout stays out of the way unless a test wants it. */
let client = 0
const tryCode = (
  api: FastifyInstance,
  email: string,
  code: string,
  ip = `10.0.${++client >> 8}.${client & 255}`,
) => api.inject({ method: 'POST', url: '/login/code', remoteAddress: ip, payload: { email, code } })

const useLink = (api: FastifyInstance, token: string, prefix = '') =>
  api.inject({ method: 'POST', url: `${prefix}/login/email/${encodeURIComponent(token)}` })

/**
 * What the worker does with a login_code job, short of SMTP: mints the
 * login_email token the mail carries and reports it sent, through the
 * receipt recording the receipts consumer uses. Returns the mail's code and link token.
 */
async function deliver(api: FastifyInstance, job: LoginJob) {
  const signed = api.tokens.sign(
    'login_email',
    { sub: job.userId, ver: job.credentialVersion, email: job.email },
    { ttlSeconds: 600 },
  )
  await api.deliveries.record(api.db, {
    jobId: job.id,
    type: job.type,
    userId: job.userId,
    email: job.email,
    purpose: 'login_email',
    tokenId: signed.jti,
    tokenExpiresAt: signed.expiresAt.toISOString(),
    status: 'sent',
    at: new Date(api.now()).toISOString(),
    error: null,
  })
  return { code: api.tokens.code(signed.jti), token: signed.token }
}

/** Asks for a code for `email` and delivers the one mail that must result. */
async function mailedCode(api: FastifyInstance, email: string) {
  const before = (await outboxJobs(api)).length
  assert.equal((await askCode(api, email)).statusCode, 202)
  const jobs = (await outboxJobs(api)).slice(before)
  assert.equal(jobs.length, 1, 'one sign-in mail')
  const job = jobs[0] as LoginJob
  assert.equal(job.type, 'login_code')
  return deliver(api, job)
}

const sessionsOf = async (api: FastifyInstance, userId: string) =>
  (await api.db.query('SELECT 1 FROM refresh_tokens WHERE user_id = $1', [userId])).rows.length

for (const store of stores()) {
  describe(`sign-in by e-mailed code (${store})`, () => {
    test('POST /login/email: the same 202 bytes for a confirmed, an unconfirmed and an unknown address; only the confirmed one gets a mail', async (t) => {
      const api = await build(t, { store })
      const known = await createUser(api, 'known@example.com', { verified: true })
      await createUser(api, 'pending@example.com', { verified: false })

      const answers = [
        await askCode(api, 'known@example.com'),
        await askCode(api, 'pending@example.com', '/api/v1/auth'),
        await askCode(api, 'nobody@example.com'),
      ]
      for (const res of answers) {
        assert.equal(res.statusCode, 202)
        assert.equal(res.headers['cache-control'], 'no-store')
      }
      assert.equal(answers[1]?.body, answers[0]?.body)
      assert.equal(answers[2]?.body, answers[0]?.body)
      assert.deepEqual(answers[0]?.json(), {
        message: 'If this address has an account, a sign-in code is on its way',
        resend_after_seconds: 300,
      })
      const jobs = await outboxJobs(api)
      assert.deepEqual(
        jobs.map((j) => [j.type, j.email]),
        [['login_code', 'known@example.com']],
      )
      assert.equal((jobs[0] as LoginJob).userId, known.id)

      // Inside the cooldown: the same answer again, and no second mail, for every address.
      const again = await askCode(api, 'known@example.com')
      assert.equal(again.statusCode, 202)
      assert.equal(again.body, answers[0]?.body)
      assert.equal((await outboxJobs(api)).length, 1)
    })

    test('bad input is a 422 in the envelope and queues nothing', async (t) => {
      const api = await build(t, { store })
      const res = await askCode(api, 'not an address')
      assert.equal(res.statusCode, 422)
      assert.equal(res.json().error.field, 'email')
      const code = await api.inject({
        method: 'POST',
        url: '/api/v1/auth/login/code',
        payload: { email: 'a@example.com', code: '12ab56' },
      })
      assert.equal(code.statusCode, 422)
      assert.equal(code.json().error.field, 'code')
      assert.equal((await outboxJobs(api)).length, 0)
    })

    test('the mailed code signs in like POST /login (a session that refreshes); it works once', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'ann@example.com', { verified: true })
      const { code } = await mailedCode(api, 'Ann@example.com')

      const res = await tryCode(api, 'ann@example.com', ` ${code} `)
      assert.equal(res.statusCode, 200, res.body)
      const pair = res.json()
      assert.equal(pair.token_type, 'Bearer')
      const claims = api.tokens.verify(pair.access_token, 'access')
      assert.equal(claims.sub, user.id)
      assert.equal((await refresh(api, pair.refresh_token)).statusCode, 200, 'a real session')
      const me = await api.inject({
        method: 'GET',
        url: '/me',
        headers: { authorization: `Bearer ${pair.access_token}` },
      })
      assert.equal(me.json().email, 'ann@example.com')

      const again = await tryCode(api, 'ann@example.com', code)
      assert.equal(again.statusCode, 401)
      assert.equal(errorCode(again), 'AUTH_INVALID_LOGIN_CODE')
    })

    test('a wrong code, an unknown address and an unconfirmed one get the same 401 bytes, and no session', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'ann@example.com', { verified: true })
      const pending = await createUser(api, 'pending@example.com', { verified: false })
      const { code } = await mailedCode(api, 'ann@example.com')

      const answers = [
        await tryCode(api, 'ann@example.com', wrong(code)),
        await tryCode(api, 'nobody@example.com', code),
        await tryCode(api, 'pending@example.com', code),
      ]
      for (const res of answers) assert.equal(res.statusCode, 401)
      assert.equal(answers[1]?.body, answers[0]?.body)
      assert.equal(answers[2]?.body, answers[0]?.body)
      assert.equal(errorCode(answers[0] as { json(): unknown }), 'AUTH_INVALID_LOGIN_CODE')
      assert.equal(await sessionsOf(api, pending.id), 0)
      const { rows } = await api.db.query('SELECT 1 FROM refresh_tokens')
      assert.equal(rows.length, 0, 'no session for anyone')
    })

    test('five tries per code: after five wrong ones the right code is refused; four leave it working', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'five@example.com', { verified: true })
      await createUser(api, 'four@example.com', { verified: true })
      const five = await mailedCode(api, 'five@example.com')
      const four = await mailedCode(api, 'four@example.com')

      for (let i = 0; i < 5; i++)
        assert.equal((await tryCode(api, 'five@example.com', wrong(five.code))).statusCode, 401)
      const sixth = await tryCode(api, 'five@example.com', five.code)
      assert.equal(sixth.statusCode, 401)
      assert.equal(errorCode(sixth), 'AUTH_INVALID_LOGIN_CODE')

      for (let i = 0; i < 4; i++)
        assert.equal((await tryCode(api, 'four@example.com', wrong(four.code))).statusCode, 401)
      assert.equal((await tryCode(api, 'four@example.com', four.code)).statusCode, 200)
    })

    test('one client guessing is locked out like at POST /login', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'locked@example.com', { verified: true })
      const { code } = await mailedCode(api, 'locked@example.com')
      for (let i = 0; i < 5; i++) await tryCode(api, 'nobody@example.com', '000000', '192.0.2.7')
      const res = await tryCode(api, 'nobody@example.com', code, '192.0.2.7')
      assert.equal(res.statusCode, 429)
      assert.equal(errorCode(res), 'AUTH_TOO_MANY_ATTEMPTS')
    })

    test('a code and its link expire after LOGIN_CODE_TTL', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now })
      await createUser(api, 'late@example.com', { verified: true })
      const { code, token } = await mailedCode(api, 'late@example.com')
      clock.advance(601)
      assert.equal((await tryCode(api, 'late@example.com', code)).statusCode, 401)
      const link = await useLink(api, token)
      assert.equal(link.statusCode, 401)
      assert.equal(errorCode(link), 'AUTH_TOKEN_EXPIRED')
    })

    test('a new code replaces the previous one', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now })
      await createUser(api, 'again@example.com', { verified: true })
      const first = await mailedCode(api, 'again@example.com')
      clock.advance(301)
      const second = await mailedCode(api, 'again@example.com')
      assert.equal((await tryCode(api, 'again@example.com', first.code)).statusCode, 401)
      assert.equal((await tryCode(api, 'again@example.com', second.code)).statusCode, 200)
    })

    test('POST /login/email/{token} signs in once; the code of that mail is then used up too', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'link@example.com', { verified: true })
      const { code, token } = await mailedCode(api, 'link@example.com')
      const res = await useLink(api, token, '/api/v1/auth')
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(api.tokens.verify(res.json().access_token, 'access').sub, user.id)
      const again = await useLink(api, token)
      assert.equal(again.statusCode, 401)
      assert.equal(errorCode(again), 'AUTH_TOKEN_USED')
      assert.equal((await tryCode(api, 'link@example.com', code)).statusCode, 401)

      const other = api.tokens.sign('verify_email', { sub: user.id, ver: 0, email: user.email })
      assert.equal(
        errorCode(await useLink(api, other.token)),
        'AUTH_INVALID_TOKEN',
        'only login_email tokens',
      )
      const get = await api.inject({ method: 'GET', url: `/login/email/${token}` })
      assert.ok(get.statusCode === 404 || get.statusCode === 405, 'a GET (a mail scanner) reaches nothing')
    })

    test('20 concurrent uses of one link, and of one code, give exactly one session each', async (t) => {
      const api = await build(t, { store })
      const a = await createUser(api, 'race-link@example.com', { verified: true })
      const b = await createUser(api, 'race-code@example.com', { verified: true })
      const link = await mailedCode(api, 'race-link@example.com')
      const code = await mailedCode(api, 'race-code@example.com')

      const byLink = await Promise.all(Array.from({ length: 20 }, () => useLink(api, link.token)))
      assert.equal(byLink.filter((r) => r.statusCode === 200).length, 1)
      assert.ok(byLink.every((r) => r.statusCode === 200 || errorCode(r) === 'AUTH_TOKEN_USED'))
      assert.equal(await sessionsOf(api, a.id), 1)

      const byCode = await Promise.all(
        Array.from({ length: 20 }, () => tryCode(api, 'race-code@example.com', code.code)),
      )
      assert.equal(byCode.filter((r) => r.statusCode === 200).length, 1)
      assert.equal(await sessionsOf(api, b.id), 1)
    })
  })
}
