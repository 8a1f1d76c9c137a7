import { randomUUID } from 'node:crypto'
import amqp from 'amqplib'
import { topologyNames } from '../../packages/contracts/src/index.ts'

/** The bench's own view of its queues: feed mail.jobs as the relay would, empty it, count it. */
export async function openRabbit(url: string, prefix: string) {
  const names = topologyNames(prefix)
  const connection = await amqp.connect(url)
  const channel = await connection.createConfirmChannel()

  return {
    names,
    /** Publishes `n` set-password jobs with confirms, pipelined as the relay does. */
    async publishJobs(n: number, emailPrefix: string): Promise<void> {
      for (let i = 0; i < n; i++) {
        const id = randomUUID()
        const job = {
          id,
          type: 'set_password',
          email: `${emailPrefix}-${i}@example.com`,
          locale: 'en',
          userId: randomUUID(),
          credentialVersion: 0,
        }
        channel.publish(names.exchange, names.jobsRoutingKey, Buffer.from(JSON.stringify(job)), {
          persistent: true,
          contentType: 'application/json',
          messageId: id,
        })
      }
      await channel.waitForConfirms()
    },
    async jobsWaiting(): Promise<number> {
      return (await channel.checkQueue(names.jobs)).messageCount
    },
    async purgeJobs(): Promise<void> {
      await channel.purgeQueue(names.jobs)
    },
    async close(): Promise<void> {
      await channel.close().catch(() => {})
      await connection.close().catch(() => {})
    },
  }
}

export type Rabbit = Awaited<ReturnType<typeof openRabbit>>
