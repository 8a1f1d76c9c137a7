import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { address, duplicates, eventually, faultStack, report, waitForAll, withLogs } from './helper.ts'

test('SIGTERM to a busy worker: in-flight jobs finish, it exits 0 in bounded time, nothing is lost or sent twice', async (t) => {
  const { smtp, stack } = await faultStack(t)
  await Promise.all([stack.up('api'), stack.up('worker')])
  smtp.slow(200)
  const emails = Array.from({ length: 20 }, (_, i) => address('sigterm-worker', i))
  const accepted = (await Promise.all(emails.map((email) => stack.post('/register', { email })))).filter(
    (r) => r.status === 202,
  ).length
  await withLogs(
    stack,
    eventually('some mail is through', () => smtp.mails.length >= 3),
  )

  const stopping = Date.now()
  const code = await stack.stop('worker', 'SIGTERM')
  const exitMs = Date.now() - stopping
  const sentBeforeExit = smtp.mails.length
  assert.equal(code, 0)
  assert.ok(exitMs < 3000 + 5000, `exited after ${exitMs} ms (WORKER_SHUTDOWN_TIMEOUT_MS is 3000)`)
  assert.ok(sentBeforeExit < emails.length, 'jobs were still queued when it stopped')

  smtp.behave()
  await stack.up('worker')
  const delivered = await waitForAll(smtp, emails, 20_000)
  const dupes = duplicates(smtp.mails)
  report('worker-sigterm', {
    accepted,
    delivered,
    lost: accepted - delivered,
    duplicates: dupes,
    exit_ms: exitMs,
  })
  assert.equal(delivered, accepted)
  assert.equal(dupes, 0, 'a graceful stop acks what it sent')
})

test('SIGTERM to the api under load: requests in flight are answered, the outbox is flushed, it exits 0', async (t) => {
  const { smtp, stack } = await faultStack(t)
  await Promise.all([stack.up('api'), stack.up('worker')])
  const emails = Array.from({ length: 20 }, (_, i) => address('sigterm-api', i))
  const answers = emails.map((email) =>
    stack.post('/register', { email }).then(
      (r) => r.status,
      () => 0, // refused: the server had stopped listening
    ),
  )
  await sleep(30)
  const stopping = Date.now()
  const code = await stack.stop('api', 'SIGTERM')
  const exitMs = Date.now() - stopping
  const statuses = await Promise.all(answers)
  const accepted = emails.filter((_, i) => statuses[i] === 202)
  assert.equal(
    code,
    0,
    stack.logs.api
      .slice(stack.logs.api.indexOf('shutting down') - 200)
      .split('\n')
      .filter((l) => !l.includes('"level":30,') || l.includes('shutting'))
      .join('\n'),
  )
  assert.ok(exitMs < 15_000, `exited after ${exitMs} ms`)
  assert.ok(
    statuses.every((s) => [0, 202, 503].includes(s)),
    `answers: ${statuses.join(',')}`,
  )
  assert.ok(accepted.length > 0, 'some requests were in flight and answered')

  // The api stays down: whatever it accepted was published before it exited.
  const delivered = await waitForAll(smtp, accepted, 15_000)
  report('api-sigterm', {
    accepted: accepted.length,
    refused: statuses.length - accepted.length,
    delivered,
    lost: accepted.length - delivered,
    duplicates: duplicates(smtp.mails),
    exit_ms: exitMs,
  })
  assert.equal(delivered, accepted.length)
})
