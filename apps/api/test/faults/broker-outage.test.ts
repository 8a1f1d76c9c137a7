import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { closeConnectionsFromBroker, TEST_AMQP_URL } from '@authmail/testing'
import {
  address,
  duplicates,
  eventually,
  faultStack,
  PREFETCH,
  rabbitProxy,
  readiness,
  report,
  through,
  waitForAll,
} from './helper.ts'

test('registrations while RabbitMQ is unreachable are all accepted, and all delivered once it returns', async (t) => {
  const proxy = await rabbitProxy()
  const { smtp, stack } = await faultStack(t, {
    env: through(proxy),
    cleanup: [proxy.close],
  })
  await Promise.all([stack.up('api'), stack.up('worker')])

  await proxy.cut()
  await eventually(
    'the api notices the broker is gone',
    async () => (await readiness(stack.baseUrl)).broker === 'down',
  )
  const emails = Array.from({ length: 25 }, (_, i) => address('outage', i))
  const answers = await Promise.all(emails.map((email) => stack.post('/register', { email })))
  const accepted = answers.filter((r) => r.status === 202).length
  assert.equal(accepted, emails.length, 'the api keeps answering 202 while the broker is away')

  const during = await readiness(stack.baseUrl)
  assert.equal(during.status, 'not_ready')
  // Each registration waits as a mail job and a user.registered event.
  assert.equal(during.outbox?.pending, emails.length * 2, 'readiness shows the backlog')
  // Held past the lag threshold, so the relay's warning is part of what is checked.
  await stack.waitForLog('api', 'outbox is lagging', { timeoutMs: 20_000 })
  assert.equal(smtp.mails.length, 0)

  await proxy.restore()
  const restored = Date.now()
  const delivered = await waitForAll(smtp, emails, 40_000)
  const recoverMs = Date.now() - restored
  await eventually('readiness is back with an empty outbox', async () => {
    const after = await readiness(stack.baseUrl)
    return after.status === 'ready' && after.outbox?.pending === 0
  })
  await stack.waitForLog('api', 'outbox caught up', { timeoutMs: 10_000 })

  const lost = accepted - delivered
  const dupes = duplicates(smtp.mails)
  report('broker-outage', { accepted, delivered, lost, duplicates: dupes, recover_ms: recoverMs })
  assert.equal(lost, 0)
  assert.equal(dupes, 0, 'nothing was published during the outage, so nothing can be sent twice')
})

test('connections closed by the broker are re-opened and mail keeps flowing', async (t) => {
  const proxy = await rabbitProxy()
  const { smtp, stack } = await faultStack(t, { env: through(proxy), cleanup: [proxy.close] })
  await Promise.all([stack.up('api'), stack.up('worker')])
  const logFrom = { api: stack.logs.api.length, worker: stack.logs.worker.length }

  const emails = Array.from({ length: 24 }, (_, i) => address('closed', i))
  const sending = (async () => {
    const statuses: number[] = []
    for (const email of emails) {
      statuses.push((await stack.post('/register', { email })).status)
      await sleep(40)
    }
    return statuses
  })()
  await sleep(400) // some jobs are through, some are on their way
  const closedAt = Date.now()
  const closed = await closeConnectionsFromBroker(proxy.upstreamPorts(), 'fault test: closed by the broker')
  assert.ok(closed >= 2, `closed ${closed} connections (the api's and the worker's)`)
  await stack.waitForLog('api', 'connected to RabbitMQ', { from: logFrom.api })
  await stack.waitForLog('worker', 'connected to RabbitMQ', { from: logFrom.worker })
  const recoverMs = Date.now() - closedAt

  const statuses = await sending
  const accepted = statuses.filter((s) => s === 202).length
  assert.equal(accepted, emails.length)
  const delivered = await waitForAll(smtp, emails, 20_000)
  const lost = accepted - delivered
  const dupes = duplicates(smtp.mails)
  report('broker-closes-connections', {
    closed,
    accepted,
    delivered,
    lost,
    duplicates: dupes,
    recover_ms: recoverMs,
  })
  assert.equal(lost, 0)
  assert.ok(dupes <= PREFETCH, 'at most the jobs that were in flight are sent twice')
})

test('with two broker addresses, each process fails over to whichever answers', async (t) => {
  const [first, second] = await Promise.all([rabbitProxy(), rabbitProxy()])
  await first.cut()
  const AMQP_URL = `${first.via(TEST_AMQP_URL)},${second.via(TEST_AMQP_URL)}`
  const { smtp, stack } = await faultStack(t, { env: { AMQP_URL }, cleanup: [first.close, second.close] })
  await Promise.all([stack.up('api'), stack.up('worker')])
  const before = address('failover', 0)
  assert.equal((await stack.post('/register', { email: before })).status, 202)
  await smtp.waitForMail((m) => m.to.includes(before), 10_000)

  const logFrom = { api: stack.logs.api.length, worker: stack.logs.worker.length }
  await first.restore()
  const switched = Date.now()
  await second.cut()
  await stack.waitForLog('api', 'connected to RabbitMQ', { from: logFrom.api, timeoutMs: 20_000 })
  await stack.waitForLog('worker', 'connected to RabbitMQ', { from: logFrom.worker, timeoutMs: 20_000 })
  const recoverMs = Date.now() - switched
  const afterSwitch = address('failover', 1)
  assert.equal((await stack.post('/register', { email: afterSwitch })).status, 202)
  await smtp.waitForMail((m) => m.to.includes(afterSwitch), 10_000)
  assert.ok(first.connections() >= 2, 'both processes now go through the first address')

  const delivered = [before, afterSwitch].filter((e) => smtp.mails.some((m) => m.to.includes(e))).length
  report('broker-failover', {
    accepted: 2,
    delivered,
    lost: 2 - delivered,
    duplicates: duplicates(smtp.mails),
    recover_ms: recoverMs,
  })
  assert.equal(delivered, 2)
})
