import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { openTestRabbit, type Stack, type TestRabbit, type TestSmtpServer } from '@authmail/testing'
import {
  address,
  deadIdIn,
  dlq,
  duplicates,
  eventually,
  faultStack,
  RETRY_DELAYS_MS,
  report,
  waitForAll,
} from './helper.ts'

const RETRIES_TOTAL_MS = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)
const SOCKET_TIMEOUT_MS = 1500

describe('an SMTP server that misbehaves, behind the real api and worker', () => {
  let smtp: TestSmtpServer
  let stack: Stack
  let rabbit: TestRabbit

  let close: () => Promise<void>

  before(async () => {
    ;({ smtp, stack, close } = await faultStack(null, {
      env: { SMTP_SOCKET_TIMEOUT_MS: String(SOCKET_TIMEOUT_MS) },
    }))
    await Promise.all([stack.up('api'), stack.up('worker')])
    rabbit = await openTestRabbit(stack.prefix, RETRY_DELAYS_MS)
  })

  after(async () => {
    await rabbit?.close()
    await close?.()
  })

  const register = async (email: string) =>
    assert.equal((await stack.post('/register', { email })).status, 202)

  test('421 for a while: the job waits in the retry queues and is delivered once the server recovers', async () => {
    const email = address('busy', 0)
    const tries = smtp.counts.rcpt
    smtp.fail('421', { times: 3 })
    const started = Date.now()
    await register(email)
    await smtp.waitForMail((m) => m.to.includes(email), 15_000)
    const recoverMs = Date.now() - started
    const attempts = smtp.counts.rcpt - tries

    report('smtp-421', {
      accepted: 1,
      delivered: 1,
      lost: 0,
      attempts,
      duplicates: duplicates(smtp.mails),
      recover_ms: recoverMs,
    })
    assert.equal(attempts, 4, 'three refusals, then the delivery')
    assert.ok(recoverMs >= RETRIES_TOTAL_MS, `waited ${recoverMs} ms: the retry delays were honoured`)
    assert.equal(await rabbit.depth(rabbit.names.dead), 0)
  })

  test('550: dead-lettered once with the reason, never retried, and replayable with the dlq command', async () => {
    const email = address('rejected', 0)
    const tries = smtp.counts.rcpt
    smtp.fail('550')
    await register(email)
    await eventually(
      'the job reaches mail.jobs.dead',
      async () => (await rabbit.depth(rabbit.names.dead)) === 1,
    )
    await sleep(RETRIES_TOTAL_MS + 500) // every retry queue would have sent it back by now
    const attempts = smtp.counts.rcpt - tries
    assert.equal(attempts, 1, 'a permanent refusal is not retried')
    assert.equal(await rabbit.depth(rabbit.names.dead), 1, 'dead-lettered once')

    const listing = await dlq(stack, 'list')
    const id = deadIdIn(listing, 'smtp_rejected')
    assert.ok(id, `dlq list shows the job and why:\n${listing}`)
    smtp.behave()
    assert.match(await dlq(stack, 'replay', id), new RegExp(`replayed ${id}`))
    await smtp.waitForMail((m) => m.to.includes(email), 10_000)

    const delivered = smtp.mails.filter((m) => m.to.includes(email)).length
    report('smtp-550', {
      accepted: 1,
      dead: 1,
      attempts,
      delivered_after_replay: delivered,
      lost: 1 - delivered,
    })
    assert.equal(delivered, 1)
    assert.equal(await rabbit.depth(rabbit.names.dead), 0)
  })

  test('a server that stalls after DATA: the socket timeout fires, the job is retried and delivered', async () => {
    const email = address('stalled', 0)
    const datas = smtp.counts.data
    smtp.stall({ times: 1 })
    const started = Date.now()
    await register(email)
    await smtp.waitForMail((m) => m.to.includes(email), 15_000)
    const recoverMs = Date.now() - started

    report('smtp-stall', {
      accepted: 1,
      delivered: 1,
      lost: 0,
      attempts: smtp.counts.data - datas,
      recover_ms: recoverMs,
    })
    assert.equal(smtp.counts.data - datas, 2, 'the stalled try, then the retry')
    assert.ok(recoverMs >= SOCKET_TIMEOUT_MS, 'the first try waited for the timeout')
    assert.ok(recoverMs < SOCKET_TIMEOUT_MS + RETRIES_TOTAL_MS + 5000, `took ${recoverMs} ms`)
  })

  test('SIGTERM while the server stalls: the worker exits within its bound and the job is not lost', async () => {
    const email = address('stalled-stop', 0)
    const datas = smtp.counts.data
    smtp.stall()
    await register(email)
    await eventually('the mail is on the wire', () => smtp.counts.data > datas)
    const stopping = Date.now()
    const code = await stack.stop('worker', 'SIGTERM')
    const exitMs = Date.now() - stopping
    assert.equal(code, 0)
    assert.ok(exitMs < 3000 + 5000, `exited after ${exitMs} ms (WORKER_SHUTDOWN_TIMEOUT_MS is 3000)`)

    smtp.behave()
    await stack.up('worker')
    const delivered = await waitForAll(smtp, [email], 15_000)
    report('smtp-stall-shutdown', { accepted: 1, delivered, lost: 1 - delivered, exit_ms: exitMs })
    assert.equal(delivered, 1)
  })

  test('malformed messages published straight to mail.jobs are dead-lettered and the others flow', async () => {
    const emails = Array.from({ length: 10 }, (_, i) => address('flowing', i))
    const sending = Promise.all(emails.map((email) => stack.post('/register', { email })))
    await rabbit.publishJob(Buffer.from('{not json'), { messageId: 'garbage-1' })
    await rabbit.publishJob({ id: 'c0ffee00-0000-4000-8000-000000000000', type: 'no_such_kind' })
    const accepted = (await sending).filter((r) => r.status === 202).length
    const delivered = await waitForAll(smtp, emails, 15_000)

    const dead = await rabbit.take(rabbit.names.dead, 2, 10_000)
    const reasons = dead.map((m) => m.properties.headers?.['x-death-reason'])
    report('malformed-message', {
      malformed: 2,
      dead: dead.length,
      accepted,
      delivered,
      lost: accepted - delivered,
    })
    assert.deepEqual(reasons, ['invalid_message', 'invalid_message'])
    assert.equal(accepted, emails.length)
    assert.equal(delivered, emails.length)
  })

  // Last: it stops the worker, so that this test can play a consumer that dies on the job.
  test('a job that keeps crashing its consumer is parked after the delivery limit, visible to dlq list', async () => {
    await stack.stop('worker', 'SIGTERM')
    await rabbit.publishJob({
      id: 'deadbeef-0000-4000-8000-000000000000',
      type: 'no_account',
      email: 'poison@example.com',
      locale: 'en',
    })
    let crashes = 0
    while (crashes < 20 && (await rabbit.takeAndCrash(rabbit.names.jobs))) crashes += 1
    await eventually('the job is parked', async () => (await rabbit.depth(rabbit.names.dead)) === 1)
    const listing = await dlq(stack, 'list')
    report('poison-job', { crashes, dead: 1, looping: crashes >= 20 ? 1 : 0 })
    assert.ok(crashes > 1 && crashes < 20, `parked after ${crashes} crashed deliveries`)
    assert.match(listing, /deadbeef-0000-4000-8000-000000000000\s+no_account\s+delivery_limit/)
  })
})
