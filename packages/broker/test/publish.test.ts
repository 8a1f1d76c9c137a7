import assert from 'node:assert/strict'
import { test } from 'node:test'
import amqp from 'amqplib'
import { startTcpProxy } from '../../testing/src/tcp-proxy.ts'
import type { PublishError } from '../src/index.ts'
import { eventually, ownVhost, testBroker } from './helper.ts'

test('a confirmed publish resolves; an unroutable one (mandatory) rejects', async (t) => {
  const { url } = await ownVhost()
  const { broker } = testBroker(t, { urls: [url] })
  broker.start()
  await broker.whenConnected(10_000)

  await broker.publish(broker.names.jobsRoutingKey, { ok: true }, { messageId: 'routed' })
  await assert.rejects(broker.publish('no.such.key', {}, { messageId: 'lost-1' }), {
    name: 'PublishError',
    message: /unroutable/,
  })
  await assert.rejects(broker.sendToQueue('no.such.queue', {}, { messageId: 'lost-2' }), {
    name: 'PublishError',
    message: /unroutable/,
  })
  // The returns did not leak into the next publish's outcome.
  await broker.sendToQueue(broker.names.retries[0]?.name as string, {}, { messageId: 'routed-2' })
})

test('a publish the broker never confirms rejects after the confirm timeout; later ones go through', async (t) => {
  const { url } = await ownVhost()
  const target = new URL(url)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) || 5672 })
  t.after(() => proxy.close())
  const { broker } = testBroker(t, { urls: [proxy.via(url)], confirmTimeoutMs: 300, heartbeatSeconds: 30 })
  broker.start()
  await broker.whenConnected(10_000)

  proxy.stall()
  const started = Date.now()
  await assert.rejects(broker.publish(broker.names.jobsRoutingKey, {}, { messageId: 'stalled' }), {
    name: 'PublishError',
    message: /no confirm within 300 ms/,
  })
  assert.ok(Date.now() - started >= 300, 'it waited for the confirm first')
  proxy.unstall()
  await broker.publish(broker.names.jobsRoutingKey, {}, { messageId: 'after-stall' })
  assert.equal(proxy.connections(), 1, 'the same connection carried on')
})

test('a nacked publish rejects as nacked and the next publish goes out on a new channel of the same connection', async (t) => {
  const { url } = await ownVhost()
  // A queue that refuses every message: no room, and overflow answers with a nack.
  const admin = await amqp.connect(url)
  t.after(() => admin.close())
  const setup = await admin.createChannel()
  await setup.assertQueue('refuses-all', { arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } })
  const { broker, lines } = testBroker(t, { urls: [url] })
  broker.start()
  await broker.whenConnected(10_000)

  await assert.rejects(
    broker.sendToQueue('refuses-all', {}, { messageId: 'refused' }),
    (error: PublishError) => {
      assert.equal(error.name, 'PublishError')
      assert.equal(error.nacked, true)
      return true
    },
  )
  await eventually('a new publisher channel', () =>
    lines.some((line) => line.msg.includes('publishing on a new channel')),
  )
  await broker.publish(broker.names.jobsRoutingKey, { ok: true }, { messageId: 'after-nack' })
  assert.equal(
    lines.filter((line) => line.msg.includes('lost RabbitMQ')).length,
    0,
    'the connection stayed; only the channel was replaced',
  )
  // A publish that fails for another reason (unroutable) keeps the channel.
  const renewals = () => lines.filter((line) => line.msg.includes('publishing on a new channel')).length
  await assert.rejects(broker.publish('no.such.key', {}, { messageId: 'unroutable' }), {
    message: /unroutable/,
  })
  assert.equal(renewals(), 1)
})
