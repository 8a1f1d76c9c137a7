import type { TopologyNames } from '@authmail/contracts'
import type { ChannelModel, Options } from 'amqplib'

/** Where the migration of a queue declared with other arguments is described. */
export const MIGRATION_DOC = 'docs/operations.md#moving-to-quorum-retry-queues'

interface QueueSpec {
  name: string
  options: Options.AssertQueue
  /** Routing key of its binding to the `authmail` exchange (or to `exchange`), if it has one. */
  routingKey?: string
  /** The exchange of that binding when it is not `authmail`. */
  exchange?: string
}

export interface TopologyOptions {
  /** Declare the webhook queues too (the worker, when WEBHOOK_URL is set). */
  webhooks?: boolean
}

/** Every queue dead-letters through the one exchange; at-least-once needs reject-publish overflow. */
const deadLetterTo = (exchange: string, routingKey: string) => ({
  'x-dead-letter-exchange': exchange,
  'x-dead-letter-routing-key': routingKey,
  // The message leaves this queue only once the target queue has it: a node lost mid-way loses nothing.
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
})

/**
 * DESIGN §4. Every queue is a quorum queue, so each survives the loss of one
 * node of a 3-node cluster (a classic queue lives on one node only).
 */
export function topologyQueues(names: TopologyNames, options: TopologyOptions = {}): QueueSpec[] {
  const quorum = (args: Record<string, unknown> = {}): Options.AssertQueue => ({
    durable: true,
    arguments: { 'x-queue-type': 'quorum', ...args },
  })
  return [
    { name: names.dead, options: quorum(), routingKey: names.deadRoutingKey },
    {
      name: names.jobs,
      // A job that keeps crashing the worker is parked, not redelivered forever.
      options: quorum({ 'x-delivery-limit': 10, ...deadLetterTo(names.exchange, names.deadRoutingKey) }),
      routingKey: names.jobsRoutingKey,
    },
    // A message waits out the TTL, then dead-letters back to mail.jobs (quorum queues do TTL from RabbitMQ 3.10).
    ...names.retries.map((retry) => ({
      name: retry.name,
      options: quorum({
        'x-message-ttl': retry.ttlMs,
        ...deadLetterTo(names.exchange, names.jobsRoutingKey),
      }),
    })),
    { name: names.receipts, options: quorum(), routingKey: names.receiptsRoutingKey },
    ...(options.webhooks ? webhookQueues(names, quorum) : []),
  ]
}

/**
 * The webhooks' own queues, shaped like mail's: `webhooks` takes every event
 * (`#`), a failed POST waits in a retry queue and comes back, the last tier's
 * failure is parked in `webhooks.dead`. Retries and dead letters go through the
 * default exchange (routing key = queue name), so no product queue bound to
 * `authmail.events` ever sees a retried event twice.
 */
function webhookQueues(
  names: TopologyNames,
  quorum: (args?: Record<string, unknown>) => Options.AssertQueue,
): QueueSpec[] {
  return [
    { name: names.webhooksDead, options: quorum() },
    {
      name: names.webhooks,
      options: quorum({ 'x-delivery-limit': 10, ...deadLetterTo('', names.webhooksDead) }),
      routingKey: '#',
      exchange: names.events,
    },
    ...names.webhookRetries.map((retry) => ({
      name: retry.name,
      options: quorum({ 'x-message-ttl': retry.ttlMs, ...deadLetterTo('', names.webhooks) }),
    })),
  ]
}

/** Called for a queue the broker would not declare as specified; the queue is used as it is. */
export type OnQueueMismatch = (queue: string, error: Error) => void

/**
 * Declares DESIGN §4 idempotently. Both apps call it on every (re)connect, so
 * whichever starts first creates the queues and a lost broker is rebuilt.
 *
 * A queue that already exists with other arguments (PRECONDITION_FAILED), or
 * whose home node is down (NOT_FOUND), is handed to `onMismatch` instead of
 * failing the connection: the broker closes the channel of a refused declare,
 * so each queue is declared on a channel of its own. Without `onMismatch` it throws.
 */
export async function assertTopology(
  connection: ChannelModel,
  names: TopologyNames,
  onMismatch?: OnQueueMismatch,
  options: TopologyOptions = {},
): Promise<void> {
  await onChannel(connection, async (channel) => {
    await channel.assertExchange(names.exchange, 'direct', { durable: true })
    await channel.assertExchange(names.events, 'topic', { durable: true })
  })
  const queues = topologyQueues(names, options)
  for (const queue of queues) {
    try {
      await onChannel(connection, (channel) => channel.assertQueue(queue.name, queue.options))
    } catch (error) {
      if (!onMismatch || !isRefusedDeclare(error)) throw error
      onMismatch(queue.name, error)
    }
  }
  await onChannel(connection, async (channel) => {
    for (const { name, routingKey, exchange } of queues) {
      if (routingKey) await channel.bindQueue(name, exchange ?? names.exchange, routingKey)
    }
  })
}

async function onChannel<T>(
  connection: ChannelModel,
  use: (channel: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<T>,
) {
  const channel = await connection.createChannel()
  // A refused operation also arrives as an 'error' event; the rejected promise is what we act on.
  channel.on('error', () => {})
  try {
    return await use(channel)
  } finally {
    await channel.close().catch(() => {})
  }
}

/** 406 PRECONDITION_FAILED (other arguments) or 404 NOT_FOUND (home node of a classic queue down). */
function isRefusedDeclare(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && (code === 406 || code === 404)
}
