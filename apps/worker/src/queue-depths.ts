import type { Broker } from '@authmail/broker'
import type { Logger } from '@authmail/logger'
import type { WorkerMetrics } from './metrics.ts'

/**
 * Keeps `authmail_queue_messages{queue}` current for mail.jobs, each retry queue
 * and the dead-letter queue (and the webhook queues, when there are webhooks), reading the broker every `intervalMs`. A queue the
 * broker does not have (yet) is dropped from the gauge rather than shown as 0.
 */
export function watchQueueDepths(
  broker: Broker,
  metrics: WorkerMetrics,
  logger: Logger,
  { webhooks = false, intervalMs = 5_000 } = {},
) {
  const { names } = broker
  const queues = [names.jobs, ...names.retries.map((retry) => retry.name), names.dead]
  if (webhooks)
    queues.push(names.webhooks, ...names.webhookRetries.map((retry) => retry.name), names.webhooksDead)
  let running: Promise<void> | null = null
  let timer: NodeJS.Timeout | undefined
  // Read at once on every (re)connect, not only at the next tick: a fresh worker shows its queues.
  const onConnected = () => void watcher.refresh()

  async function read(): Promise<void> {
    if (!broker.isConnected()) return
    try {
      const depths = await broker.queueDepths(queues)
      for (const queue of queues) {
        const depth = depths.get(queue)
        if (depth === undefined) metrics.queueMessages.remove({ queue })
        else metrics.queueMessages.set({ queue }, depth)
      }
    } catch (error) {
      // The connection went away mid-read: the broker's own reconnect says so loudly enough.
      logger.debug({ err: error }, 'could not read queue depths')
    }
  }

  const watcher = {
    /** Reads now (or joins the read under way). */
    refresh(): Promise<void> {
      running ??= read().finally(() => {
        running = null
      })
      return running
    },
    start() {
      if (timer) return
      timer = setInterval(() => void watcher.refresh(), intervalMs).unref()
      broker.events.on('connected', onConnected)
      if (broker.isConnected()) onConnected()
    },
    async stop() {
      broker.events.off('connected', onConnected)
      clearInterval(timer)
      timer = undefined
      await running
    },
  }
  return watcher
}
