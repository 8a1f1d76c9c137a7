import type { ChannelModel, GetMessage } from 'amqplib'

export interface BrowsedMessage {
  message: GetMessage
  /** Removes it from the queue; messages not acked go back when browsing ends. */
  ack(): void
}

/**
 * Reads the ready messages of a queue with basic.get and manual ack on a
 * channel of its own. Closing that channel returns every unacked message, so
 * an operator tool can look at all of them and take only some.
 */
export async function browseQueue(
  connection: ChannelModel,
  queue: string,
  visit: (messages: BrowsedMessage[]) => Promise<void>,
  limit: number,
): Promise<void> {
  const channel = await connection.createChannel()
  const failure = new Promise<never>((_, reject) => channel.once('error', reject))
  failure.catch(() => {}) // observed below; a closed channel must not crash the process
  try {
    const messages: BrowsedMessage[] = []
    while (messages.length < limit) {
      const message = await Promise.race([channel.get(queue, { noAck: false }), failure])
      if (!message) break
      messages.push({ message, ack: () => channel.ack(message) })
    }
    await visit(messages)
  } finally {
    await channel.close().catch(() => {})
  }
}
