import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { eventually, ownVhost, testBroker } from './helper.ts'

/**
 * A consumer whose acks never reach the queue looks, from the broker, like one
 * holding its whole prefetch window: the queue sends it nothing more though it
 * has ready messages. Here the first delivery is handled but not acked, which
 * puts the real queue in exactly that state.
 */
test('a consumer the queue stopped feeding while messages are ready subscribes again and gets them', async (t) => {
  const { url } = await ownVhost()
  const name = `broker-test-${randomBytes(3).toString('hex')}`
  const { broker, lines } = testBroker(t, { urls: [url], name, prefix: `${name}.`, stallCheckMs: 200 })
  const handled: string[] = []
  await broker.consume(
    broker.names.jobs,
    async (message, settle) => {
      const id = message.properties.messageId as string
      handled.push(id)
      // The first delivery's ack is "lost": the window of 1 stays full on the broker's side.
      if (!(id === 'first' && !message.fields.redelivered)) settle.ack()
    },
    { prefetch: 1 },
  )
  broker.start()
  await broker.whenConnected(10_000)
  for (const id of ['first', 'second', 'third'])
    await broker.publish(broker.names.jobsRoutingKey, {}, { messageId: id })

  await eventually('every job is handled', () => ['second', 'third'].every((id) => handled.includes(id)))
  assert.ok(lines.some((l) => l.msg.includes('subscribing again')))
  // Closing the stale channel gave the unacked job back: it comes again, once.
  await eventually('the unacked job comes back', () => handled.filter((id) => id === 'first').length === 2)
  assert.ok(broker.isConsuming(), 'the new subscription is the one in use')
})

test('an idle consumer of an empty queue is left alone', async (t) => {
  const { url } = await ownVhost()
  const name = `broker-test-${randomBytes(3).toString('hex')}`
  const { broker, lines } = testBroker(t, { urls: [url], name, prefix: `${name}.`, stallCheckMs: 100 })
  await broker.consume(broker.names.jobs, async (_message, settle) => settle.ack(), { prefetch: 1 })
  broker.start()
  await broker.whenConnected(10_000)
  await broker.publish(broker.names.jobsRoutingKey, {}, { messageId: 'only' })
  await new Promise((resolve) => setTimeout(resolve, 800))
  assert.ok(!lines.some((l) => l.msg.includes('subscribing again')))
  assert.ok(!lines.some((l) => l.msg.includes('lost RabbitMQ')))
})
