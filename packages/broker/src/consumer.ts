import { setTimeout as sleep } from 'node:timers/promises'
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib'
import type { BrokerLogger, Consumer, Settle } from './types.ts'

interface ConsumeDeps {
  logger: BrokerLogger
  /** Handlers under way, so close() can let them finish. */
  inFlight: Set<Promise<void>>
  /** Turns a close of this channel into a rebuild of the connection. */
  watch(channel: Channel): void
  handlerRetryDelayMs: number
}

/** Opens a channel for `consumer` on `conn` and starts consuming; records channel and tag on it. */
export async function consumeOn(conn: ChannelModel, consumer: Consumer, deps: ConsumeDeps): Promise<void> {
  const { logger, inFlight } = deps
  const channel = await conn.createChannel()
  deps.watch(channel)
  await channel.prefetch(consumer.prefetch)
  // A delivery tag belongs to its channel; once that is closed the broker redelivers instead.
  // Not "is it still consumer.channel": deliveries can arrive in the same read as consume-ok,
  // before consumer.channel is set below, and a handler that settled at once lost its ack.
  let open = true
  channel.once('close', () => {
    open = false
  })
  const settle = (message: ConsumeMessage): Settle => ({
    ack: () => open && channel.ack(message),
    requeue: () => open && channel.nack(message, false, true),
  })
  const { consumerTag } = await channel.consume(consumer.queue, (message) => {
    if (!message) {
      // The broker cancelled us (queue deleted, leader moved) but kept the channel open:
      // closing it turns that into the usual rebuild, which consumes again.
      logger.warn({ queue: consumer.queue }, 'RabbitMQ cancelled the consumer; rebuilding')
      channel.close().catch(() => {})
      return
    }
    consumer.lastDeliveryAt = Date.now()
    consumer.busy += 1
    const work = consumer.handler(message, settle(message)).catch(async (error) => {
      // Left unacked it would hold a prefetch slot until the connection drops; a quorum
      // queue counts the redelivery, so its delivery limit still parks a message that always fails.
      logger.error({ err: error, queue: consumer.queue }, 'message handler failed; returning the message')
      await sleep(deps.handlerRetryDelayMs)
      settle(message).requeue()
    })
    inFlight.add(work)
    work.finally(() => {
      inFlight.delete(work)
      consumer.busy -= 1
    })
  })
  consumer.channel = channel
  consumer.tag = consumerTag
  consumer.lastDeliveryAt = Date.now()
  consumer.suspect = false
}
