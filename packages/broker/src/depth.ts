import type { Channel, ChannelModel } from 'amqplib'

/**
 * Ready messages in each of `queues`, read with a passive declare (checkQueue)
 * on a channel of its own: the broker closes a channel whose passive declare
 * names a missing queue, so that queue is left out and a new channel carries on
 * with the rest. Nothing here touches the publisher or consumer channels.
 */
export async function queueDepths(connection: ChannelModel, queues: readonly string[]) {
  const depths = new Map<string, number>()
  let channel: Channel | null = null
  try {
    for (const queue of queues) {
      channel ??= await openQuiet(connection)
      try {
        const { messageCount } = await channel.checkQueue(queue)
        depths.set(queue, messageCount)
      } catch {
        // 404 NOT_FOUND closed the channel: open another for the next queue.
        channel = null
      }
    }
  } finally {
    await channel?.close().catch(() => {})
  }
  return depths
}

async function openQuiet(connection: ChannelModel): Promise<Channel> {
  const channel = await connection.createChannel()
  // A channel closed by the broker emits 'error'; without a listener that would crash the process.
  channel.on('error', () => {})
  return channel
}
