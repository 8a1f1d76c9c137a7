import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createUser } from './account-fixtures.ts'
import { build, collectJobs, outboxJobs, stores } from './helper.ts'

const resend = (api: FastifyInstance, email: string, prefix = '/api/v1/auth') =>
  api.inject({ method: 'POST', url: `${prefix}/resend-verification`, payload: { email } })

/** Moves an address's cooldown into the past, as if `seconds` had gone by. */
const age = (api: FastifyInstance, email: string, seconds: number) =>
  api.db.query(
    `UPDATE mail_cooldowns SET sent_at = sent_at - make_interval(secs => $2) WHERE email = lower($1)`,
    [email, seconds],
  )

for (const store of stores()) {
  describe(`POST /resend-verification (${store})`, () => {
    test('202 with the pause, then 429 AUTH_EMAIL_RESEND_COOLDOWN inside it, then 202 again', async (t) => {
      // A clock that stands still: the wait below is exact however slow the machine is.
      const frozen = Date.now()
      const api = await build(t, { store, env: { RESEND_COOLDOWN_SECONDS: '120' }, now: () => frozen })
      const collector = await collectJobs(t, api)
      const user = await createUser(api, 'again@example.com', { verified: false })

      const first = await resend(api, 'again@example.com')
      assert.equal(first.statusCode, 202)
      assert.deepEqual(first.json(), { message: 'Verification email sent', resend_after_seconds: 120 })
      const [job] = await collector.waitFor(1)
      assert.equal(job?.type, 'verify_email')
      assert.equal(job?.type === 'verify_email' && job.userId, user.id)

      await age(api, 'again@example.com', 20)
      const second = await resend(api, 'AGAIN@example.com', '')
      assert.equal(second.statusCode, 429)
      assert.equal(second.headers['retry-after'], '100')
      assert.deepEqual(second.json(), {
        error: {
          code: 'AUTH_EMAIL_RESEND_COOLDOWN',
          message: 'Please wait 100 seconds before requesting a new verification email',
          field: null,
          details: { wait_seconds: 100 },
        },
      })

      await age(api, 'again@example.com', 100)
      assert.equal((await resend(api, 'again@example.com')).statusCode, 202)
      assert.deepEqual(
        (await outboxJobs(api)).map((j) => j.type),
        ['verify_email', 'verify_email'],
        'the refused request queued no mail',
      )
    })

    test('register, then resend at once: 429 (they share one cooldown)', async (t) => {
      const api = await build(t, { store })
      const reg = await api.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'new@example.com' },
      })
      assert.equal(reg.statusCode, 202)
      const res = await resend(api, 'new@example.com')
      assert.equal(res.statusCode, 429)
      const wait = res.json().error.details.wait_seconds
      assert.ok(wait > 295 && wait <= 300, `waits ${wait} s of the default 300`)
    })

    test('unknown, unconfirmed and confirmed addresses get byte-identical answers; only the unconfirmed gets mail', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'pending@example.com', { verified: false })
      await createUser(api, 'done@example.com', { verified: true })
      const addresses = ['pending@example.com', 'done@example.com', 'nobody@example.com']

      for (const expected of [202, 429]) {
        const answers = await Promise.all(addresses.map((email) => resend(api, email)))
        for (const res of answers) {
          assert.equal(res.statusCode, expected)
          assert.equal(res.headers['content-type'], answers[0]?.headers['content-type'])
          assert.equal(res.rawPayload.equals(answers[0]?.rawPayload ?? Buffer.alloc(0)), true, res.body)
        }
      }
      assert.deepEqual(
        (await outboxJobs(api)).map((j) => [j.type, j.email]),
        [['verify_email', 'pending@example.com']],
      )
    })

    test('an account without a password gets its set-password link again', async (t) => {
      const api = await build(t, { store })
      const collector = await collectJobs(t, api)
      await api.users.insert(api.db, { email: 'nopass@example.com', passwordHash: null, locale: 'ru' })
      assert.equal((await resend(api, 'nopass@example.com')).statusCode, 202)
      const [job] = await collector.waitFor(1)
      assert.deepEqual([job?.type, job?.locale], ['set_password', 'ru'])
    })

    test('a bad address is 422 VALIDATION_ERROR on the email field', async (t) => {
      const api = await build(t, { store })
      for (const payload of [{ email: 'not-an-address' }, {}]) {
        const res = await api.inject({ method: 'POST', url: '/api/v1/auth/resend-verification', payload })
        assert.equal(res.statusCode, 422)
        const { error } = res.json()
        assert.deepEqual([error.code, error.field], ['VALIDATION_ERROR', 'email'])
        assert.equal(typeof error.message, 'string')
      }
    })

    test('the form on the link page gets pages back: check your inbox, then please wait', async (t) => {
      const api = await build(t, { store })
      const form = {
        method: 'POST',
        url: '/resend-verification',
        payload: 'email=form%40example.com',
      } as const
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ru' }
      const sent = await api.inject({ ...form, headers })
      assert.equal(sent.statusCode, 202)
      assert.match(sent.body, /Проверьте почту/)
      const wait = await api.inject({ ...form, headers })
      assert.equal(wait.statusCode, 429)
      assert.match(wait.body, /запросить через 5 минут\./)
      assert.equal(wait.headers['content-security-policy']?.includes("frame-ancestors 'none'"), true)
    })
  })
}
