import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { MailReceiptSchema } from '@authmail/contracts'
import { json } from '@authmail/testing'
import { createSendSlots } from '../src/send-slots.ts'
import { build, job } from './helper.ts'

test('send slots run at most their size at once and hand slots on in arrival order, failures included', async () => {
  const slots = createSendSlots(3)
  let running = 0
  let most = 0
  const started: number[] = []
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) =>
      slots.run(async () => {
        started.push(i)
        running += 1
        most = Math.max(most, running)
        await sleep(5)
        running -= 1
        if (i % 4 === 0) throw new Error(`job ${i} failed`)
        return i
      }),
    ),
  )
  assert.equal(most, 3)
  assert.deepEqual(
    started,
    Array.from({ length: 12 }, (_, i) => i),
  )
  assert.deepEqual(
    results.map((r) => r.status),
    results.map((_, i) => (i % 4 === 0 ? 'rejected' : 'fulfilled')),
  )
  // Every failed job gave its slot back: later jobs still get all three and none waits forever.
  let done = 0
  await Promise.all(Array.from({ length: 6 }, () => slots.run(() => sleep(5).then(() => done++))))
  assert.equal(done, 6)
})

test('a burst of jobs far beyond the send slots of a one-connection pool is mailed in full, each once, with a receipt each', async (t) => {
  const { smtp, rabbit } = await build(t, { env: { SMTP_POOL_SIZE: '1', WORKER_PREFETCH: '64' } })
  const jobs = Array.from({ length: 40 }, () => job('password_changed'))
  for (const sent of jobs) await rabbit.publishJob(sent)

  const receipts = (await rabbit.take(rabbit.names.receipts, jobs.length, 20_000)).map((m) =>
    MailReceiptSchema.parse(json(m)),
  )
  assert.deepEqual(new Set(receipts.map((r) => r.jobId)), new Set(jobs.map((j) => j.id)))
  assert.ok(receipts.every((r) => r.status === 'sent'))
  for (const sent of jobs) assert.equal(smtp.mails.filter((m) => m.to.includes(sent.email)).length, 1)
  assert.equal(await rabbit.depth(rabbit.names.jobs), 0)
})
