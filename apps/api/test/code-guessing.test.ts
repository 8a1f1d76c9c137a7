import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { MAX_CODE_FAILURES_PER_ADDRESS } from '../src/verification/code-failures-repository.ts'
import { bearerFor, createUser, movableClock } from './account-fixtures.ts'
import { build, stores } from './helper.ts'
import { receiptSender } from './verification-helper.ts'

type User = { id: string; email: string; credential_version: number }

const submit = (api: FastifyInstance, user: User, code: string) =>
  api.inject({ method: 'POST', url: '/verify-email/code', headers: bearerFor(api, user), payload: { code } })

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

for (const store of stores()) {
  describe(`code guessing (${store})`, () => {
    test('wrong codes are capped per address across mails, also after the account is deleted and registered again', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: { UNVERIFIED_ACCOUNT_TTL: '1000' } })
      const deliver = await receiptSender(t, api)
      let user = await createUser(api, 'target@example.com', { verified: false })
      const mailTo = async (account: User) => {
        clock.advance(1)
        return deliver({
          userId: account.id,
          email: account.email,
          credentialVersion: account.credential_version,
        })
      }

      // Five wrong codes per mail, as many mails as the cap allows.
      for (let mail = 0; mail < MAX_CODE_FAILURES_PER_ADDRESS / 5; mail++) {
        const { code } = await mailTo(user)
        for (let i = 0; i < 5; i++) assert.equal((await submit(api, user, wrong(code))).statusCode, 400)
      }
      const { code } = await mailTo(user)
      const capped = await submit(api, user, code)
      assert.equal(
        capped.statusCode,
        429,
        'the right code of a new mail is refused once the address is capped',
      )
      assert.equal(capped.json().error.code, 'AUTH_CODE_ATTEMPTS_EXCEEDED')

      // The unverified cleanup deletes the account; registering the address again does not reset the cap.
      clock.advance(751)
      await api.unverifiedCleanup.runOnce()
      clock.advance(1000)
      assert.equal((await api.unverifiedCleanup.runOnce()).deleted, 1)
      user = await createUser(api, 'Target@example.com', { verified: false })
      const again = await mailTo(user)
      assert.equal((await submit(api, user, again.code)).statusCode, 429)

      // A day after the first wrong code the address gets its tries back.
      clock.advance(86_400)
      const later = await mailTo(user)
      assert.equal((await submit(api, user, later.code)).statusCode, 200)
    })
  })
}
