import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { test } from 'node:test'
import { topologyNames } from '@authmail/contracts'
import amqp from 'amqplib'
import { assertTopology, MIGRATION_DOC } from '../src/index.ts'
import { closeFromBroker, eventually, ownVhost, queueTypes, rabbitmqctl, testBroker } from './helper.ts'

const RETRY_MS = 60_000

/** The retry queue as releases before quorum retry tiers declared it: classic, one node only. */
async function classicRetryQueue(url: string, prefix: string) {
  const names = topologyNames(prefix, [RETRY_MS])
  const retry = names.retries[0]?.name as string
  const conn = await amqp.connect(url)
  const channel = await conn.createConfirmChannel()
  await channel.assertQueue(retry, {
    durable: true,
    arguments: {
      'x-message-ttl': RETRY_MS,
      'x-dead-letter-exchange': names.exchange,
      'x-dead-letter-routing-key': names.jobsRoutingKey,
    },
  })
  return { names, retry, conn, channel }
}

test('a retry queue that exists as a classic queue is logged once and used; the connection works', async (t) => {
  const { vhost, url } = await ownVhost()
  const prefix = `old-${randomBytes(3).toString('hex')}.`
  const old = await classicRetryQueue(url, prefix)
  t.after(() => old.conn.close())
  // Without a handler for it, the refusal is an error: the strict form that tests use.
  await assert.rejects(assertTopology(old.conn, old.names), /PRECONDITION.FAILED/)

  const name = `topology-test-${randomBytes(3).toString('hex')}`
  const { broker, lines } = testBroker(t, { urls: [url], prefix, name, retryDelaysMs: [RETRY_MS] })
  broker.start()
  await broker.whenConnected(10_000)
  const mismatches = () => lines.filter((l) => l.msg.includes('exists with other arguments'))
  const warnings = lines.filter((l) => l.level === 'warn')
  assert.equal(warnings.length, 1)
  assert.match(
    warnings[0]?.msg ?? '',
    new RegExp(`queue ${old.retry.replaceAll('.', '\\.')} exists with other arguments`),
  )
  assert.ok(warnings[0]?.msg.includes(MIGRATION_DOC), 'the line names the doc section')
  const types = await queueTypes(vhost)
  assert.equal(types[old.retry], 'classic')
  assert.equal(types[broker.names.jobs], 'quorum')
  // The old queue still takes retry copies.
  await broker.sendToQueue(old.retry, { waiting: true }, { messageId: 'waiting' })

  // A reconnect does not repeat the line.
  const reconnected = once(broker.events, 'connected')
  await closeFromBroker(name)
  await reconnected
  assert.equal(mismatches().length, 1)

  // The migration of docs/operations.md: move the waiting copies to mail.jobs (what the shovel
  // there does), delete the emptied queue, and the next connect declares it as a quorum queue.
  const depth = async (queue: string) => (await old.channel.checkQueue(queue)).messageCount
  await eventually('the retry copy is in the old queue', async () => (await depth(old.retry)) === 1)
  const waiting = await old.channel.get(old.retry)
  assert.ok(waiting)
  old.channel.publish(broker.names.exchange, broker.names.jobsRoutingKey, waiting.content, waiting.properties)
  await old.channel.waitForConfirms()
  old.channel.ack(waiting)
  assert.equal(await depth(old.retry), 0)
  assert.equal(await depth(broker.names.jobs), 1)
  await rabbitmqctl('delete_queue', '-p', vhost, old.retry, '--if-empty')
  const again = once(broker.events, 'connected')
  await closeFromBroker(name)
  await again
  assert.equal((await queueTypes(vhost))[old.retry], 'quorum')
  assert.equal(mismatches().length, 1)
})
