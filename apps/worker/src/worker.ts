import { brokerFromEnv } from '@authmail/broker'
import { loadTemplates } from '@authmail/emails'
import type { Logger } from '@authmail/logger'
import { createReceiptSeal, tokensFromEnv } from '@authmail/tokens'
import { createComposer } from './compose.ts'
import type { WorkerEnv } from './env.ts'
import { createJobHandler, type WorkerStats } from './handle-job.ts'
import { countInFlight, jobMetrics, timeSends } from './job-metrics.ts'
import { createMailer } from './mailer.ts'
import { createWorkerMetrics } from './metrics.ts'
import { createOutcomes } from './outcomes.ts'
import { watchQueueDepths } from './queue-depths.ts'
import { createSendSlots, SENDS_PER_CONNECTION } from './send-slots.ts'
import { createSentCache } from './sent-cache.ts'
import { createSmtpCheck } from './smtp-check.ts'
import { createWebhookHandler } from './webhooks.ts'

/** The whole worker without process concerns (signals, exit): main.ts runs it, tests build it. */
export function createWorker(env: WorkerEnv, logger: Logger) {
  // Access tokens are the api's: the worker gets no access-token key, so it can never mint one.
  const tokens = tokensFromEnv(env)
  // Compiled and checked once, first: a broken template stops the start before anything connects.
  const templates = loadTemplates(env.TEMPLATES_DIR)
  // The webhook queues exist only where webhooks are wanted: without a consumer they would fill up.
  const broker = brokerFromEnv(env, { name: 'authmail-worker', logger, webhooks: Boolean(env.WEBHOOK_URL) })
  const mailer = createMailer(env)
  const metrics = createWorkerMetrics()
  const queueDepths = watchQueueDepths(broker, metrics, logger, { webhooks: Boolean(env.WEBHOOK_URL) })
  const smtp = createSmtpCheck(mailer.verify)
  const stats: WorkerStats = { sent: 0, retried: 0, dead: 0, duplicates: 0 }
  let stopping = false
  const handler = createJobHandler({
    compose: createComposer(env, tokens, templates),
    mailer: timeSends(mailer, metrics),
    outcomes: createOutcomes(broker, createReceiptSeal(env.JWT_SECRET)),
    sent: createSentCache(),
    sendSlots: createSendSlots(env.SMTP_POOL_SIZE * SENDS_PER_CONNECTION),
    stats,
    metrics: jobMetrics(metrics),
    logger,
    defaultLocale: env.DEFAULT_LOCALE,
    messageIdHost: new URL(env.PUBLIC_BASE_URL).hostname,
  })

  return {
    broker,
    stats,
    metrics,
    queueDepths,

    /** Ready = taking jobs: consuming mail.jobs and able to reach the SMTP server. */
    async readiness() {
      const consuming = broker.isConsuming()
      const status = await smtp.status()
      const { connected, ...brokerNode } = broker.status()
      return {
        ready: !stopping && consuming && status.ok,
        stopping,
        broker: consuming ? 'consuming' : connected ? 'connected' : 'down',
        // Which cluster node this worker consumes from; it moves to a surviving one on its own.
        brokerNode: connected ? brokerNode : null,
        smtp: status.ok ? 'up' : 'down',
        ...(status.error ? { smtpError: status.error } : {}),
      }
    },

    /** Connects in the background (retrying while RabbitMQ is away) and consumes mail.jobs. */
    async start(): Promise<void> {
      broker.start()
      await broker.consume(broker.names.jobs, countInFlight(handler, metrics), {
        prefetch: env.WORKER_PREFETCH,
      })
      if (env.WEBHOOK_URL && env.WEBHOOK_SECRET) {
        // A consumer (and so a channel and prefetch window) of its own: a slow receiver holds up webhooks only.
        const webhooks = createWebhookHandler({
          broker,
          url: env.WEBHOOK_URL,
          secret: env.WEBHOOK_SECRET,
          timeoutMs: env.WEBHOOK_TIMEOUT_MS,
          metrics,
          logger: logger.child({ component: 'webhooks' }),
        })
        await broker.consume(broker.names.webhooks, webhooks, { prefetch: env.WEBHOOK_PREFETCH })
      }
      queueDepths.start()
    },

    /**
     * Stops taking jobs, lets in-flight ones finish within `drainTimeoutMs`, then
     * closes channels and connection (unfinished jobs return to the queue) and the SMTP pool.
     */
    async stop(drainTimeoutMs = env.WORKER_SHUTDOWN_TIMEOUT_MS): Promise<void> {
      stopping = true
      await queueDepths.stop()
      await broker.close({ drainTimeoutMs })
      mailer.close()
    },
  }
}

export type Worker = ReturnType<typeof createWorker>
