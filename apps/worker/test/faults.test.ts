import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MailReceiptSchema } from '@authmail/contracts'
import { json } from '@authmail/testing'
import { build, job } from './helper.ts'

const receiptsOf = async (rabbit: Awaited<ReturnType<typeof build>>['rabbit'], count = 1) =>
  (await rabbit.take(rabbit.names.receipts, count, 8000)).map((m) => MailReceiptSchema.parse(json(m)))

test('a server answering 421 for a while gets the mail once it recovers', async (t) => {
  const { smtp, rabbit, worker } = await build(t)
  smtp.fail('421', { times: 2 })
  const sent = job('set_password')
  await rabbit.publishJob(sent)

  const mail = await smtp.waitForMail((m) => m.to.includes(sent.email), 8000)
  assert.equal(mail.parsed.subject, 'Set your password for authmail')
  assert.ok(smtp.counts.rcpt >= 3, `tried ${smtp.counts.rcpt} times`)
  assert.equal(worker.stats.retried, 2)
  const [receipt] = await receiptsOf(rabbit)
  assert.equal(receipt?.status, 'sent')
  assert.equal(await rabbit.depth(rabbit.names.dead), 0)
})

test('450 after DATA is retried too', async (t) => {
  const { smtp, rabbit } = await build(t)
  smtp.fail('450', { at: 'data', times: 1 })
  const sent = job('account_exists')
  await rabbit.publishJob(sent)
  await smtp.waitForMail((m) => m.to.includes(sent.email), 5000)
  assert.equal(smtp.counts.data, 2)
})

test('550 parks the job in the dead queue once, with the reason, and sends a failed receipt', async (t) => {
  const { smtp, rabbit, worker } = await build(t)
  smtp.fail('550')
  const sent = job('verify_email')
  await rabbit.publishJob(sent, { headers: { 'x-request-id': 'req-550' } })

  const [dead] = await rabbit.take(rabbit.names.dead, 1, 5000)
  assert.equal(dead?.properties.messageId, sent.id)
  assert.equal(dead?.properties.headers?.['x-death-reason'], 'smtp_rejected')
  assert.match(String(dead?.properties.headers?.['x-death-error']), /550/)
  assert.equal(dead?.properties.headers?.['x-request-id'], 'req-550')
  const [receipt] = await receiptsOf(rabbit)
  assert.equal(receipt?.status, 'failed')
  assert.equal(receipt?.jobId, sent.id)
  assert.match(receipt?.error ?? '', /550/)

  await new Promise((resolve) => setTimeout(resolve, 1200)) // longer than every retry delay
  assert.equal(await rabbit.depth(rabbit.names.dead), 0, 'dead-lettered once, not once per retry')
  assert.equal(smtp.counts.rcpt, 1, 'a permanent failure is not retried')
  assert.equal(worker.stats.dead, 1)
  assert.equal(smtp.mails.length, 0)
})

test('a server that never answers after DATA times out, the job is retried, and delivered', async (t) => {
  const { smtp, rabbit } = await build(t, { env: { SMTP_SOCKET_TIMEOUT_MS: '500' } })
  smtp.stall({ times: 1 })
  const sent = job('no_account')
  const started = Date.now()
  await rabbit.publishJob(sent)
  await smtp.waitForMail((m) => m.to.includes(sent.email), 8000)
  assert.equal(smtp.counts.data, 2)
  assert.ok(Date.now() - started < 5000, 'the socket timeout fired instead of waiting forever')
})

test('a connection dropped after DATA is retried', async (t) => {
  const { smtp, rabbit } = await build(t)
  smtp.drop({ at: 'data', times: 3 }) // more than the pool's own single requeue
  const sent = job('no_account')
  await rabbit.publishJob(sent)
  await smtp.waitForMail((m) => m.to.includes(sent.email), 8000)
  const [receipt] = await receiptsOf(rabbit)
  assert.equal(receipt?.status, 'sent')
})

test('a server that keeps failing with 4xx ends in the dead queue after the last retry', async (t) => {
  const { smtp, rabbit } = await build(t)
  smtp.fail('421')
  const sent = job('no_account')
  await rabbit.publishJob(sent)
  const [dead] = await rabbit.take(rabbit.names.dead, 1, 8000)
  assert.equal(dead?.properties.headers?.['x-death-reason'], 'retries_exhausted')
  assert.equal(dead?.properties.headers?.['x-retry-count'], 3)
  assert.equal(smtp.counts.rcpt, 4, 'the first try and three retries')
  const [receipt] = await receiptsOf(rabbit)
  assert.equal(receipt?.status, 'failed')
})

test('malformed messages go to the dead queue and the jobs behind them still flow', async (t) => {
  const { smtp, rabbit } = await build(t)
  await rabbit.publishJob(Buffer.from('{not json'), { messageId: 'garbage-1' })
  await rabbit.publishJob({ ...job('verify_email'), email: 'not an address' }, { messageId: 'bad-email' })
  const good = job('verify_email')
  await rabbit.publishJob(good)

  await smtp.waitForMail((m) => m.to.includes(good.email))
  const dead = await rabbit.take(rabbit.names.dead, 2, 5000)
  assert.deepEqual(dead.map((m) => m.properties.messageId).sort(), ['bad-email', 'garbage-1'])
  for (const message of dead) assert.equal(message.properties.headers?.['x-death-reason'], 'invalid_message')
  assert.match(
    String(dead.find((m) => m.properties.messageId === 'bad-email')?.properties.headers?.['x-death-error']),
    /email/,
  )
  assert.equal(smtp.mails.length, 1)
})

test('a worker that does not trust the server certificate sends nothing', async (t) => {
  const { smtp, rabbit } = await build(t, { untrusted: true })
  const sent = job('verify_email')
  await rabbit.publishJob(sent)
  const [dead] = await rabbit.take(rabbit.names.dead, 1, 8000)
  assert.equal(dead?.properties.headers?.['x-death-reason'], 'retries_exhausted')
  assert.match(String(dead?.properties.headers?.['x-death-error']), /certificate/i)
  assert.equal(smtp.counts.rcpt, 0, 'not even the envelope was sent')
  assert.equal(smtp.mails.length, 0)
})

test('stopping while the server stalls returns within the bound and hands the job back', async (t) => {
  const { smtp, rabbit, worker } = await build(t, { env: { SMTP_SOCKET_TIMEOUT_MS: '30000' } })
  smtp.stall()
  await rabbit.publishJob(job('no_account'))
  while (smtp.counts.data === 0) await new Promise((resolve) => setTimeout(resolve, 20))

  const started = Date.now()
  await worker.stop(300)
  assert.ok(Date.now() - started < 2000, `stop took ${Date.now() - started} ms`)
  // The broker returns a closed channel's unacked message on its own time: a moment, not at once.
  let depth = await rabbit.depth(rabbit.names.jobs)
  for (const deadline = Date.now() + 5000; depth === 0 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    depth = await rabbit.depth(rabbit.names.jobs)
  }
  assert.equal(depth, 1, 'the unfinished job is back in mail.jobs')
})
