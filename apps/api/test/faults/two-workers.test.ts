import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TEST_AMQP_URL } from '@authmail/testing'
import { address, duplicates, report, waitForAll } from './helper.ts'
import { startInstances } from './instances.ts'

const JOBS = 60

test('two workers on one queue never mail a job twice when nothing fails', async (t) => {
  const instances = await startInstances({ amqpUrl: TEST_AMQP_URL, apis: 1, workers: 2 })
  t.after(() => instances.close())
  const [api] = instances.apis
  assert.ok(api)
  const emails = Array.from({ length: JOBS }, (_, i) => address('two-workers', i))
  const answers = await Promise.all(emails.map((email) => api.post('/register', { email })))
  const accepted = answers.filter((r) => r.status === 202).length
  assert.equal(accepted, JOBS)

  const delivered = await waitForAll(instances.smtp, emails, 30_000)
  // Both workers took part: each logs the jobs it sent.
  const sentBy = instances.workers.map((w) => (w.logs.worker.match(/"msg":"mail sent"/g) ?? []).length)
  const dupes = duplicates(instances.smtp.mails)
  report('two-workers', {
    accepted,
    delivered,
    lost: accepted - delivered,
    duplicates: dupes,
    sent_by: sentBy.join('+'),
  })
  assert.equal(delivered, JOBS)
  assert.equal(instances.smtp.mails.length, JOBS, 'one mail per job')
  assert.equal(dupes, 0)
})
