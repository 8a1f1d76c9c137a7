import type { TopologyNames } from '@authmail/contracts'
import type { Channel } from 'amqplib'

/**
 * Declares DESIGN §4 idempotently. Both apps call it on every (re)connect, so
 * whichever starts first creates the queues and a lost broker is rebuilt.
 */
export async function assertTopology(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.exchange, 'direct', { durable: true })

  await channel.assertQueue(names.dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await channel.bindQueue(names.dead, names.exchange, names.deadRoutingKey)

  await channel.assertQueue(names.jobs, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      // A job that keeps crashing the worker is parked, not redelivered forever.
      'x-delivery-limit': 10,
      'x-dead-letter-exchange': names.exchange,
      'x-dead-letter-routing-key': names.deadRoutingKey,
      'x-dead-letter-strategy': 'at-least-once',
      // at-least-once dead-lettering requires reject-publish overflow.
      'x-overflow': 'reject-publish',
    },
  })
  await channel.bindQueue(names.jobs, names.exchange, names.jobsRoutingKey)

  for (const retry of names.retries) {
    // Classic queues with a TTL: a message waits there, then dead-letters back to mail.jobs.
    await channel.assertQueue(retry.name, {
      durable: true,
      arguments: {
        'x-message-ttl': retry.ttlMs,
        'x-dead-letter-exchange': names.exchange,
        'x-dead-letter-routing-key': names.jobsRoutingKey,
      },
    })
  }

  await channel.assertQueue(names.receipts, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await channel.bindQueue(names.receipts, names.exchange, names.receiptsRoutingKey)
}
