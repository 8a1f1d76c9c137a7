import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { AuthmailEventSchema } from '@authmail/contracts'
import { listenToEvents } from '@authmail/testing'
import type { FastifyInstance } from 'fastify'
import { bearer, bearerFor, createUser, login, PASSWORD, refresh } from './account-fixtures.ts'
import { build, closeBeforeApi, stores } from './helper.ts'
import { receiptSender } from './verification-helper.ts'

const NEW_PASSWORD = 'a different long passphrase 42'

/** A product's queue bound to `authmail.events` with `#`, closed before the api. */
async function listen(t: Parameters<typeof build>[0], api: FastifyInstance) {
  const listener = await listenToEvents(api.env.QUEUE_PREFIX)
  closeBeforeApi(t, api, listener.close)
  return {
    ...listener,
    /** Waits for the event of `type` about `userId`, checks it against its schema and its routing key. */
    async expect(type: string, userId: string | null, timeoutMs?: number) {
      const event = await listener.waitFor((e) => e.type === type && e.user_id === userId, timeoutMs)
      const index = listener.received.indexOf(event)
      assert.equal(listener.routingKeys[index], type, 'routed by its type')
      return AuthmailEventSchema.parse(event)
    },
    count: (type: string, userId: string | null) =>
      listener.received.filter((e) => e.type === type && e.user_id === userId).length,
  }
}

const userId = async (api: FastifyInstance, email: string) => {
  const user = await api.users.findByEmail(api.db, email)
  assert.ok(user)
  return user
}

for (const store of stores()) {
  describe(`events on authmail.events (${store})`, () => {
    test('register, set-password, login, refresh, change and reset the password: each change is one event', async (t) => {
      const api = await build(t, { store })
      const events = await listen(t, api)
      const register = (email: string) => api.inject({ method: 'POST', url: '/register', payload: { email } })

      const first = await register('ann@example.com')
      const ann = await userId(api, 'ann@example.com')
      const registered = await events.expect('user.registered', ann.id)
      assert.deepEqual(registered.data, { email: 'ann@example.com', locale: 'en' })
      const again = await register('ann@example.com')
      assert.equal(again.body, first.body, 'the same answer for a known address')
      assert.equal(again.statusCode, first.statusCode)

      const setLink = api.tokens.sign('set_password', { sub: ann.id, ver: 0, email: ann.email }).token
      const set = await api.inject({
        method: 'POST',
        url: '/set-password',
        payload: { token: setLink, password: PASSWORD },
      })
      assert.equal(set.statusCode, 200, set.body)
      assert.deepEqual((await events.expect('user.password_changed', ann.id)).data, {
        method: 'set_password',
      })
      const verified = await events.expect('user.email_verified', ann.id)
      assert.deepEqual(verified.data, { email: 'ann@example.com', method: 'set_password' })

      const pair = await login(api, 'ann@example.com')
      assert.deepEqual((await events.expect('user.signed_in', ann.id)).data, { method: 'password' })
      assert.equal((await refresh(api, pair.refresh_token)).statusCode, 200)

      const change = await api.inject({
        method: 'POST',
        url: '/me/password',
        headers: bearer(pair.access_token),
        payload: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      })
      assert.equal(change.statusCode, 200, change.body)
      await events.waitFor(
        (e) => e.type === 'user.password_changed' && (e.data as { method: string }).method === 'change',
      )

      const fresh = await userId(api, 'ann@example.com')
      const resetLink = api.tokens.sign('reset_password', {
        sub: ann.id,
        ver: fresh.credential_version,
        email: ann.email,
      }).token
      const reset = await api.inject({
        method: 'POST',
        url: '/set-password',
        payload: { token: resetLink, password: PASSWORD },
      })
      assert.equal(reset.statusCode, 200, reset.body)
      await events.waitFor(
        (e) =>
          e.type === 'user.password_changed' && (e.data as { method: string }).method === 'reset_password',
      )

      // Everything above has arrived; what must not be there is checked now.
      assert.equal(
        events.count('user.registered', ann.id),
        1,
        'registering a known address is no new account',
      )
      assert.equal(events.count('user.signed_in', ann.id), 1, 'a refresh is no sign-in')
      assert.equal(events.count('user.email_verified', ann.id), 1, 'a reset confirms nothing new')
      assert.equal(events.count('user.password_changed', ann.id), 3)
    })

    test('confirming by link or code, and mail receipts: user.email_verified, mail.sent, mail.failed once each', async (t) => {
      const api = await build(t, { store })
      const events = await listen(t, api)
      const deliver = await receiptSender(t, api)

      const bob = await createUser(api, 'bob@example.com', { verified: false })
      const link = api.tokens.sign('verify_email', { sub: bob.id, ver: 0, email: bob.email }).token
      assert.equal((await api.inject({ method: 'POST', url: `/verify-email/${link}` })).statusCode, 200)
      const byLink = await events.expect('user.email_verified', bob.id)
      assert.deepEqual(byLink.data, { email: 'bob@example.com', method: 'link' })

      const cy = await createUser(api, 'cy@example.com', { verified: false })
      const jobId = crypto.randomUUID()
      const mail = { id: jobId, userId: cy.id, email: cy.email, credentialVersion: 0 }
      const { code } = await deliver(mail)
      const sent = await events.expect('mail.sent', cy.id)
      assert.deepEqual(sent.data, { job_id: jobId, kind: 'verify_email', email: 'cy@example.com' })
      const verify = await api.inject({
        method: 'POST',
        url: '/verify-email/code',
        headers: bearerFor(api, cy),
        payload: { code },
      })
      assert.equal(verify.statusCode, 200, verify.body)
      assert.deepEqual((await events.expect('user.email_verified', cy.id)).data, {
        email: 'cy@example.com',
        method: 'code',
      })

      // A receipt delivered twice (a lost ack) announces its mail once.
      await deliver(mail)
      const failedJob = { id: crypto.randomUUID(), userId: cy.id, email: cy.email, credentialVersion: 0 }
      await deliver(failedJob, { status: 'failed' })
      const failed = await events.expect('mail.failed', cy.id)
      assert.equal((failed.data as { error: string }).error, '550 mailbox unavailable')
      assert.equal(events.count('mail.sent', cy.id), 1)
    })
  })
}
