import type { BrokerLogger, Consumer } from './types.ts'

interface StallDeps {
  consumers: readonly Consumer[]
  /** Ready messages of one queue, or undefined when that cannot be read now. */
  ready(queue: string): Promise<number | undefined>
  /** Subscribes `consumer` again on a new channel and closes the one the broker stopped feeding. */
  resubscribe(consumer: Consumer): Promise<void>
  logger: BrokerLogger
  intervalMs: number
}

/**
 * A quorum queue can stop feeding a consumer after its leader moves, without a
 * `basic.cancel`: in RabbitMQ 3.10 the channel's queue client ignores a command
 * rejected while no leader is known (rabbit_fifo_client, `{rejected,
 * {not_leader, undefined, _}}`), so acks sent during an election may never
 * reach the queue, which then counts the consumer's prefetch window as unacked
 * and sends it nothing more. From the outside: the consumer handles nothing
 * and has not been delivered anything for a whole interval, yet its queue has
 * ready messages. Seen at two checks in a row (a busy neighbour may drain the
 * queue in between), the consumer subscribes again on a fresh channel; closing
 * the old channel returns whatever the queue still held for it.
 */
export function watchStalls(deps: StallDeps) {
  const { consumers, logger, intervalMs } = deps
  let checking = false

  async function check(consumer: Consumer): Promise<void> {
    const idle = consumer.busy === 0 && Date.now() - consumer.lastDeliveryAt >= intervalMs
    if (!consumer.channel || !idle) {
      consumer.suspect = false
      return
    }
    const ready = await deps.ready(consumer.queue)
    if (!ready) {
      consumer.suspect = false
      return
    }
    if (!consumer.suspect) {
      consumer.suspect = true
      return
    }
    logger.warn(
      { queue: consumer.queue, ready, idleMs: Date.now() - consumer.lastDeliveryAt },
      'consumer gets no deliveries while its queue has ready messages; subscribing again',
    )
    await deps.resubscribe(consumer)
  }

  const timer = setInterval(async () => {
    if (checking) return
    checking = true
    try {
      for (const consumer of consumers) await check(consumer)
    } catch (error) {
      // A connection lost mid-check is the reconnect loop's business.
      logger.debug({ err: error }, 'consumer stall check failed')
    } finally {
      checking = false
    }
  }, intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
