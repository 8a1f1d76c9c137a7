import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { test } from 'node:test'
import amqp from 'amqplib'
import { closeFromBroker, eventually, ownVhost, testBroker } from './helper.ts'

const uniqueName = () => `broker-test-${randomBytes(3).toString('hex')}`

/** A broker consuming mail.jobs of its own prefix, recording the message ids it handled (and acked). */
async function consumingBroker(t: Parameters<typeof testBroker>[0], name: string) {
  const { url } = await ownVhost()
  const prefix = `${name}.`
  const { broker, lines } = testBroker(t, { urls: [url], name, prefix })
  const handled: string[] = []
  await broker.consume(
    broker.names.jobs,
    async (message, settle) => {
      handled.push(message.properties.messageId as string)
      settle.ack()
    },
    { prefetch: 4 },
  )
  broker.start()
  await broker.whenConnected(10_000)
  return { broker, lines, handled, url }
}

test('a connection closed by the broker is rebuilt and its consumers consume again', async (t) => {
  const name = uniqueName()
  const { broker, lines, handled } = await consumingBroker(t, name)
  await broker.publish(broker.names.jobsRoutingKey, { n: 1 }, { messageId: 'before' })
  await eventually('the first job is handled', () => handled.includes('before'))

  const disconnected = once(broker.events, 'disconnected')
  const reconnected = once(broker.events, 'connected')
  assert.equal(await closeFromBroker(name), 1, 'the broker held exactly one connection')
  await disconnected
  await reconnected
  assert.ok(lines.some((l) => l.msg === 'lost RabbitMQ; reconnecting'))

  await broker.publish(broker.names.jobsRoutingKey, { n: 2 }, { messageId: 'after' })
  await eventually('the job published after the reconnect is handled', () => handled.includes('after'))
  assert.deepEqual(handled, ['before', 'after'])
})

test('a consumer the broker cancels (its queue deleted) is rebuilt with the topology', async (t) => {
  const name = uniqueName()
  const { broker, lines, handled, url } = await consumingBroker(t, name)
  const reconnected = once(broker.events, 'connected')
  const admin = await amqp.connect(url)
  t.after(() => admin.close())
  await (await admin.createChannel()).deleteQueue(broker.names.jobs)
  await reconnected
  assert.ok(lines.some((l) => l.msg.includes('cancelled the consumer')))

  await broker.publish(broker.names.jobsRoutingKey, {}, { messageId: 'after-delete' })
  await eventually('the re-declared queue is consumed', () => handled.includes('after-delete'))
})

test('publishing while disconnected rejects at once instead of hanging', async (t) => {
  const { url } = await ownVhost()
  const { broker } = testBroker(t, { urls: [url] })
  await assert.rejects(broker.publish('mail.job', {}, { messageId: 'x' }), {
    name: 'PublishError',
    message: /not connected/,
  })
})
