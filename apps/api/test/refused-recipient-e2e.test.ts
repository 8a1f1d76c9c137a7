import assert from 'node:assert/strict'
import { test } from 'node:test'
import { STACK_SECRET, startSmtpServer, startStack } from '@authmail/testing'
import { build, cleanup, outboxJobs, stores } from './helper.ts'
import { waitUntil } from './verification-helper.ts'

const RETRY_DELAYS_MS = '300,600,900'

for (const store of stores()) {
  test(`an SMTP server answering 550 5.1.1 at RCPT suppresses the address after the worker's attempt (${store})`, async (t) => {
    // The real worker process, on the queues of an api built here, so the test reads the api's database.
    const smtp = await startSmtpServer()
    cleanup(t, () => smtp.close())
    const stack = await startStack({ smtp, retryDelaysMs: [300, 600, 900] })
    cleanup(t, () => stack.close())
    const api = await build(t, {
      store,
      prefix: stack.prefix,
      env: { JWT_SECRET: STACK_SECRET, RETRY_DELAYS_MS },
    })
    await stack.up('worker')

    const gone = 'gone@example.com'
    smtp.unknownRecipient(gone)
    const register = (email: string) => api.inject({ method: 'POST', url: '/register', payload: { email } })
    assert.equal((await register(gone)).statusCode, 202)
    assert.equal((await register('here@example.com')).statusCode, 202)
    await smtp.waitForMail((m) => m.to.includes('here@example.com'), 30_000)

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
    assert.ok(await api.users.findByEmail(api.db, 'here@example.com'))
    assert.equal(smtp.mails.filter((m) => m.to.includes(gone)).length, 0)
  })
}
