import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { bearerFor, createUser } from './account-fixtures.ts'
import { build, collectJobs, stores } from './helper.ts'
import { receiptSender } from './verification-helper.ts'

type User = NonNullable<Awaited<ReturnType<FastifyInstance['users']['findById']>>>

const submit = (api: FastifyInstance, user: User | null, code: string) =>
  api.inject({
    method: 'POST',
    url: '/api/v1/auth/verify-email/code',
    headers: user ? bearerFor(api, user) : {},
    payload: { code },
  })

/** A code other than `code`, so a "wrong code" test cannot pass by luck. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

for (const store of stores()) {
  describe(`POST /verify-email/code (${store})`, () => {
    test('register → the mail is reported sent → the code from it confirms the address', async (t) => {
      const api = await build(t, { store })
      const collector = await collectJobs(t, api)
      const deliver = await receiptSender(t, api)
      const reg = await api.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'coder@example.com', password: 'a fine long passphrase' },
      })
      assert.equal(reg.statusCode, 202)
      const [job] = await collector.waitFor(1)
      assert.ok(job?.type === 'verify_email')
      const user = (await api.users.findByEmail(api.db, 'coder@example.com')) as User

      const before = await submit(api, user, '123456')
      assert.equal(before.statusCode, 400, 'no mail was reported yet, so no code can match')
      assert.equal(before.json().error.code, 'AUTH_INVALID_CODE')

      const { code } = await deliver(job)
      const res = await submit(api, user, ` ${code} `)
      assert.equal(res.statusCode, 200)
      assert.deepEqual(res.json(), { message: 'Email verified successfully', email: 'coder@example.com' })
      assert.ok((await api.users.findById(api.db, user.id))?.email_verified_at)

      const again = await submit(api, user, code)
      assert.equal(again.statusCode, 400)
      assert.equal(again.json().error.code, 'AUTH_EMAIL_ALREADY_VERIFIED')
    })

    test('five wrong tries per code; the sixth is refused even when right; a new mail starts over', async (t) => {
      const api = await build(t, { store })
      const deliver = await receiptSender(t, api)
      const user = await createUser(api, 'guess@example.com', { verified: false })
      const job = { userId: user.id, email: user.email, credentialVersion: 0 }
      const { code } = await deliver(job)

      for (let left = 4; left >= 0; left--) {
        const res = await submit(api, user, wrong(code))
        assert.equal(res.statusCode, 400)
        assert.deepEqual(res.json().error, {
          code: 'AUTH_INVALID_CODE',
          message: 'This code is not correct',
          field: null,
          details: { attempts_left: left },
        })
      }
      const sixth = await submit(api, user, code)
      assert.equal(sixth.statusCode, 429)
      assert.equal(sixth.json().error.code, 'AUTH_CODE_ATTEMPTS_EXCEEDED')
      assert.equal((await api.users.findById(api.db, user.id))?.email_verified_at, null)

      const fresh = await deliver(job, { at: new Date(Date.now() + 1000) })
      assert.equal((await submit(api, user, code)).statusCode, 400, "the old mail's code is replaced")
      assert.equal((await submit(api, user, fresh.code)).statusCode, 200)
    })

    test('racing wrong guesses are all counted', async (t) => {
      const api = await build(t, { store })
      const deliver = await receiptSender(t, api)
      const user = await createUser(api, 'racer@example.com', { verified: false })
      const { code } = await deliver({ userId: user.id, email: user.email, credentialVersion: 0 })
      const answers = await Promise.all(Array.from({ length: 8 }, () => submit(api, user, wrong(code))))
      assert.deepEqual(answers.map((r) => r.statusCode).sort(), [400, 400, 400, 400, 400, 429, 429, 429])
    })

    test('an expired code is 400 AUTH_CODE_EXPIRED', async (t) => {
      let clock = Date.now()
      const api = await build(t, { store, now: () => clock })
      const deliver = await receiptSender(t, api)
      const user = await createUser(api, 'slow@example.com', { verified: false })
      const { code } = await deliver({ userId: user.id, email: user.email, credentialVersion: 0 })
      clock += (api.env.VERIFY_EMAIL_TTL + 1) * 1000
      // The access token is minted on the moved clock, so only the code is old.
      const res = await submit(api, user, code)
      assert.equal(res.statusCode, 400)
      assert.equal(res.json().error.code, 'AUTH_CODE_EXPIRED')
    })

    test('needs a logged-in user and a 6-digit code', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'anon@example.com', { verified: false })
      const anonymous = await submit(api, null, '123456')
      assert.equal(anonymous.statusCode, 401)
      assert.equal(anonymous.json().error.code, 'AUTH_UNAUTHENTICATED')
      const short = await submit(api, user, '12345')
      assert.equal(short.statusCode, 422)
      assert.deepEqual([short.json().error.code, short.json().error.field], ['VALIDATION_ERROR', 'code'])
    })
  })
}
