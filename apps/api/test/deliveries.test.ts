import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import type { MailReceipt } from '@authmail/contracts'
import type { FastifyInstance } from 'fastify'
import { bearerFor, createUser } from './account-fixtures.ts'
import { build, collectJobs, stores } from './helper.ts'
import { receiptSender } from './verification-helper.ts'

const me = async (api: FastifyInstance, user: { id: string; credential_version: number }) => {
  const res = await api.inject({ method: 'GET', url: '/me', headers: bearerFor(api, user) })
  assert.equal(res.statusCode, 200, res.body)
  return res.json().email_verification
}

for (const store of stores()) {
  describe(`verification delivery status (${store})`, () => {
    test('GET /me follows the mail: queued, sent (with the resend timer), confirmed', async (t) => {
      const api = await build(t, { store, env: { RESEND_COOLDOWN_SECONDS: '120' } })
      const collector = await collectJobs(t, api)
      const deliver = await receiptSender(t, api)
      const user = await createUser(api, 'status@example.com', { verified: false })

      assert.deepEqual(await me(api, user), {
        confirmed: false,
        confirmed_at: null,
        sent: false,
        sent_at: null,
        timer: 0,
        last_status: null,
        last_error: null,
      })

      assert.equal(
        (await api.inject({ method: 'POST', url: '/resend-verification', payload: { email: user.email } }))
          .statusCode,
        202,
      )
      const queued = await me(api, user)
      assert.deepEqual([queued.sent, queued.last_status], [false, 'queued'])
      assert.ok(queued.timer > 115 && queued.timer <= 120, `timer ${queued.timer}`)

      const [job] = await collector.waitFor(1)
      assert.ok(job?.type === 'verify_email')
      const sentAt = new Date(Date.now() - 5_000)
      const { token } = await deliver(job, { at: sentAt })
      const sent = await me(api, user)
      assert.deepEqual(
        [sent.sent, sent.sent_at, sent.last_status, sent.confirmed],
        [true, sentAt.toISOString(), 'sent', false],
      )

      assert.equal((await api.inject({ method: 'POST', url: `/verify-email/${token}` })).statusCode, 200)
      const confirmed = await me(api, user)
      assert.equal(confirmed.confirmed, true)
      assert.ok(Date.parse(confirmed.confirmed_at) > 0)
    })

    test('a mail the worker gave up on shows as failed, with the reason', async (t) => {
      const api = await build(t, { store })
      const deliver = await receiptSender(t, api)
      const user = await createUser(api, 'bounce@example.com', { verified: false })
      await deliver(
        { userId: user.id, email: user.email, credentialVersion: 0 },
        { at: new Date(Date.now() - 60_000) },
      )
      await deliver({ userId: user.id, email: user.email, credentialVersion: 0 }, { status: 'failed' })
      const status = await api.deliveries.statusFor(api.db, user.id)
      assert.deepEqual(
        [status?.sent, status?.last_status, status?.last_error],
        [true, 'failed', '550 mailbox unavailable'],
      )
    })

    test('receipts stored together: one row per job, a sent one is never replaced by a failure', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'burst@example.com', { verified: false })
      const receipt = (jobId: string, status: 'sent' | 'failed', second: number): MailReceipt => ({
        jobId,
        type: 'verify_email',
        userId: user.id,
        email: user.email,
        purpose: 'verify_email',
        tokenId: status === 'sent' ? randomUUID() : null,
        tokenExpiresAt: status === 'sent' ? new Date(Date.now() + 86_400_000).toISOString() : null,
        status,
        error: status === 'failed' ? '451 try later' : null,
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
      })
      const [sentThenFailed, failedThenSent, failedTwice, alreadySent] = [1, 2, 3, 4].map(() => randomUUID())
      const firstSent = receipt(alreadySent as string, 'sent', 0)
      await api.deliveries.record(api.db, firstSent)
      const laterSent = receipt(failedThenSent as string, 'sent', 6)
      await api.deliveries.recordMany(api.db, [
        receipt(sentThenFailed as string, 'sent', 1),
        receipt(sentThenFailed as string, 'failed', 2),
        receipt(failedThenSent as string, 'failed', 3),
        receipt(failedTwice as string, 'failed', 4),
        receipt(failedTwice as string, 'failed', 5),
        laterSent,
        receipt(alreadySent as string, 'failed', 7),
        // A user who is gone: the receipt is kept without the link.
        { ...receipt(randomUUID(), 'sent', 8), userId: randomUUID() },
      ])
      const { rows } = await api.db.query<{
        job_id: string
        status: string
        token_id: string | null
        sec: number
      }>(
        `SELECT job_id, status, token_id, extract(second FROM at)::int AS sec FROM mail_deliveries WHERE user_id = $1`,
        [user.id],
      )
      const byJob = new Map(rows.map((row) => [row.job_id, row]))
      assert.equal(rows.length, 4)
      assert.deepEqual(
        [sentThenFailed, failedThenSent, failedTwice, alreadySent].map((id) => {
          const row = byJob.get(id as string)
          return [row?.status, row?.sec]
        }),
        [
          ['sent', 1],
          ['sent', 6],
          ['failed', 5],
          ['sent', 0],
        ],
      )
      assert.equal(byJob.get(failedThenSent as string)?.token_id, laterSent.tokenId)
      assert.equal(byJob.get(alreadySent as string)?.token_id, firstSent.tokenId)
      const orphans = await api.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM mail_deliveries WHERE user_id IS NULL',
      )
      assert.equal(orphans.rows[0]?.n, 1)
    })

    test('admins see it per user; statusForMany answers for a whole page at once', async (t) => {
      const api = await build(t, { store })
      const deliver = await receiptSender(t, api)
      const admin = await createUser(api, 'admin@example.com', { verified: true })
      await api.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id])
      const waiting = await createUser(api, 'waiting@example.com', { verified: false })
      const mailed = await createUser(api, 'mailed@example.com', { verified: false })
      await deliver({ userId: mailed.id, email: mailed.email, credentialVersion: 0 })

      const res = await api.inject({
        method: 'GET',
        url: `/users/${mailed.id}`,
        headers: bearerFor(api, admin),
      })
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(
        [res.json().email_verification.sent, res.json().email_verification.last_status],
        [true, 'sent'],
      )

      const many = await api.deliveries.statusForMany(api.db, [waiting.id, mailed.id, admin.id])
      assert.deepEqual(
        [waiting.id, mailed.id, admin.id].map((id) => [many.get(id)?.sent, many.get(id)?.confirmed]),
        [
          [false, false],
          [true, false],
          [false, true],
        ],
      )
      assert.equal(await api.deliveries.statusFor(api.db, '00000000-0000-4000-8000-000000000000'), null)
    })
  })
}
