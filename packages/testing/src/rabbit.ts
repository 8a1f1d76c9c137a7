import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { assertTopology } from '@authmail/broker'
import { type TopologyNames, topologyNames } from '@authmail/contracts'
import amqp, { type GetMessage, type Options } from 'amqplib'

export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'

/** A prefix no other test file uses, so parallel runs never share a queue. */
export function testPrefix(): string {
  return `test.${randomBytes(4).toString('hex')}.`
}

/** Every queue and the exchange of one prefix; retry queues are named after their delays. */
export async function deleteTestTopology(
  prefix: string,
  retryDelaysMs?: readonly number[],
  url = TEST_AMQP_URL,
): Promise<void> {
  if (!prefix) throw new Error('refusing to delete the unprefixed (production) topology')
  const names = topologyNames(prefix, retryDelaysMs)
  const connection = await amqp.connect(url)
  try {
    const channel = await connection.createChannel()
    const queues = [
      ...[names.jobs, names.dead, names.receipts, ...names.retries.map((r) => r.name)],
      ...[names.webhooks, names.webhooksDead, ...names.webhookRetries.map((r) => r.name)],
    ]
    for (const queue of queues) await channel.deleteQueue(queue)
    await channel.deleteExchange(names.exchange)
    await channel.deleteExchange(names.events)
    await channel.close()
  } finally {
    await connection.close()
  }
}

/**
 * A test's own view of the broker: publish jobs the way the api does and read
 * what the worker left in the receipts and dead-letter queues.
 */
export async function openTestRabbit(prefix: string, retryDelaysMs?: readonly number[], url = TEST_AMQP_URL) {
  const names: TopologyNames = topologyNames(prefix, retryDelaysMs)
  const connection = await amqp.connect(url)
  const channel = await connection.createConfirmChannel()
  await assertTopology(connection, names)

  return {
    names,

    /** Publishes (with confirm) to mail.jobs; a Buffer is sent as is, so tests can send garbage. */
    async publishJob(body: object | Buffer, options: Options.Publish = {}): Promise<void> {
      const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body))
      const messageId = 'id' in body && typeof body.id === 'string' ? body.id : undefined
      channel.publish(names.exchange, names.jobsRoutingKey, content, {
        persistent: true,
        contentType: 'application/json',
        messageId,
        ...options,
      })
      await channel.waitForConfirms()
    },

    /** Publishes (with confirm) an event to `authmail.events` as the api's relay does: routing key = its type. */
    async publishEvent(event: { id: string; type: string }): Promise<void> {
      await channel.assertExchange(names.events, 'topic', { durable: true })
      channel.publish(names.events, event.type, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: 'application/json',
        messageId: event.id,
      })
      await channel.waitForConfirms()
    },

    /** Takes (and acks) `count` messages from `queue`, waiting up to `timeoutMs` for them. */
    async take(queue: string, count = 1, timeoutMs = 5000): Promise<GetMessage[]> {
      const taken: GetMessage[] = []
      const deadline = Date.now() + timeoutMs
      while (taken.length < count) {
        const message = await channel.get(queue, { noAck: true })
        if (message) taken.push(message)
        else if (Date.now() > deadline) {
          throw new Error(
            `only ${taken.length} of ${count} messages arrived in ${queue} within ${timeoutMs} ms`,
          )
        } else await sleep(25)
      }
      return taken
    },

    /**
     * Takes one message without acking it and closes the channel: what a
     * consumer that crashes mid-job does. The broker returns the message and
     * counts the delivery. False when the queue is empty.
     */
    async takeAndCrash(queue: string): Promise<boolean> {
      const crashing = await connection.createChannel()
      const message = await crashing.get(queue, { noAck: false })
      await crashing.close()
      return message !== false
    },

    /** Messages ready in `queue` right now. */
    async depth(queue: string): Promise<number> {
      return (await channel.checkQueue(queue)).messageCount
    },

    async close(): Promise<void> {
      await channel.close().catch(() => {})
      await connection.close().catch(() => {})
    },
  }
}

export type TestRabbit = Awaited<ReturnType<typeof openTestRabbit>>

/** The JSON body of a message taken from a queue. */
export const json = (message: GetMessage): unknown => JSON.parse(message.content.toString())

const rabbitmqctl = async (...args: string[]) =>
  (await promisify(execFile)('rabbitmqctl', ['-q', ...args])).stdout

/**
 * Closes, from the broker's side, the connections whose client port is one of
 * `ports` (e.g. a TCP proxy's upstream ports): the broker-initiated close
 * an operator or a failing node causes, aimed only at one test's processes.
 * Returns how many it closed.
 */
export async function closeConnectionsFromBroker(ports: number[], reason = 'closed by a fault test') {
  // Tab-separated `<rabbit@host.1.2.3>  port` lines: the pid form close_connection takes.
  const listed = (await rabbitmqctl('list_connections', 'pid', 'peer_port'))
    .split('\n')
    .map((line) => line.split('\t'))
  const ours = listed.filter(([, port]) => ports.includes(Number(port)))
  for (const [pid] of ours) await rabbitmqctl('close_connection', pid as string, reason)
  return ours.length
}

/**
 * What a product does to hear authmail's lifecycle events: its own queue bound
 * to `authmail.events` (here exclusive, gone with the connection) with
 * `bindingKey` (`#`: every event). Collects the parsed events as they arrive.
 */
export async function listenToEvents(prefix: string, { bindingKey = '#', url = TEST_AMQP_URL } = {}) {
  const names = topologyNames(prefix)
  const connection = await amqp.connect(url)
  const channel = await connection.createChannel()
  await channel.assertExchange(names.events, 'topic', { durable: true })
  const { queue } = await channel.assertQueue('', { exclusive: true })
  await channel.bindQueue(queue, names.events, bindingKey)
  const received: { type: string; user_id: string | null; [key: string]: unknown }[] = []
  const routingKeys: string[] = []
  await channel.consume(queue, (message) => {
    if (!message) return
    received.push(JSON.parse(message.content.toString()))
    routingKeys.push(message.fields.routingKey)
    channel.ack(message)
  })

  return {
    received,
    /** The routing key each event arrived with, in the same order. */
    routingKeys,
    /** Resolves with the first event `match` accepts, waiting up to `timeoutMs`. */
    async waitFor(match: (event: (typeof received)[number]) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = received.find(match)
        if (found) return found
        if (Date.now() > deadline) {
          throw new Error(
            `no matching event within ${timeoutMs} ms; got ${received.map((e) => e.type).join(', ')}`,
          )
        }
        await sleep(25)
      }
    },
    async close(): Promise<void> {
      await connection.close().catch(() => {})
    },
  }
}
