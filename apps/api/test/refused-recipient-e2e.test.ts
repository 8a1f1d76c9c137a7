import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { STACK_SECRET, type Stack, startSmtpServer, startStack, type TestSmtpServer } from '@authmail/testing'
import { build, outboxJobs, stores } from './helper.ts'
import { waitUntil } from './verification-helper.ts'

const RETRY_DELAYS_MS = '300,600,900'

describe('a recipient the SMTP server refuses, through the real worker process', () => {
  // One worker for the file: each store's test builds its own api (and database) on the worker's
  // queues, so the test reads the api's database, and uses addresses of its own.
  let smtp: TestSmtpServer
  let stack: Stack
  before(async () => {
    smtp = await startSmtpServer()
    stack = await startStack({ smtp, retryDelaysMs: [300, 600, 900] })
    await stack.up('worker')
  })
  after(async () => {
    await stack?.close()
    await smtp?.close()
  })

  for (const store of stores()) {
    test(`an SMTP server answering 550 5.1.1 at RCPT suppresses the address after the worker's attempt (${store})`, async (t) => {
      const api = await build(t, {
        store,
        prefix: stack.prefix,
        env: { JWT_SECRET: STACK_SECRET, RETRY_DELAYS_MS },
      })

      const gone = `gone-${store}@example.com`
      const here = `here-${store}@example.com`
      smtp.unknownRecipient(gone)
      const register = (email: string) => api.inject({ method: 'POST', url: '/register', payload: { email } })
      assert.equal((await register(gone)).statusCode, 202)
      assert.equal((await register(here)).statusCode, 202)
      await smtp.waitForMail((m) => m.to.includes(here), 30_000)

      const row = await waitUntil(async () => {
        const { rows } = await api.db.query<{ reason: string; source: string; detail: string }>(
          'SELECT reason, source, detail FROM suppressions WHERE email = $1',
          [gone],
        )
        return rows[0]
      }, 30_000)
      assert.equal(row.reason, 'smtp_rejected')
      assert.equal(row.source, 'smtp')
      assert.match(row.detail, /550 5\.1\.1/, "the server's reply, for the admin")
      const { rows: deliveries } = await api.db.query<{ status: string }>(
        'SELECT status FROM mail_deliveries WHERE email = $1',
        [gone],
      )
      assert.deepEqual(deliveries, [{ status: 'failed' }])

      // Nothing more is queued for the address; its unconfirmed account goes at the next cleanup.
      const queued = (await outboxJobs(api)).length
      assert.equal(
        (await api.inject({ method: 'POST', url: '/recover-password', payload: { email: gone } })).statusCode,
        202,
      )
      assert.equal((await outboxJobs(api)).length, queued)
      assert.equal((await api.unverifiedCleanup.runOnce()).deleted, 1)
      assert.equal(await api.users.findByEmail(api.db, gone), null)
      assert.ok(await api.users.findByEmail(api.db, here))
      assert.equal(smtp.mails.filter((m) => m.to.includes(gone)).length, 0)
    })
  }
})
