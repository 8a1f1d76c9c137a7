import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { assertTopology } from '@authmail/broker'
import { type TopologyNames, topologyNames } from '@authmail/contracts'
import amqp, { type GetMessage, type Options } from 'amqplib'

// biome-ignore lint/style/noProcessEnv: CI may point tests at another broker
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
    const queues = [names.jobs, names.dead, names.receipts, ...names.retries.map((r) => r.name)]
    for (const queue of queues) await channel.deleteQueue(queue)
    await channel.deleteExchange(names.exchange)
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
  await assertTopology(channel, names)

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
