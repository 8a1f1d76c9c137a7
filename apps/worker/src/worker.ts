import { brokerFromEnv } from '@authmail/broker'
import type { Logger } from '@authmail/logger'
import { createReceiptSeal, tokensFromEnv } from '@authmail/tokens'
import { createComposer } from './compose.ts'
import type { WorkerEnv } from './env.ts'
import { createJobHandler, type WorkerStats } from './handle-job.ts'
import { createMailer } from './mailer.ts'
import { createOutcomes } from './outcomes.ts'
import { createSentCache } from './sent-cache.ts'

/** The whole worker without process concerns (signals, exit): main.ts runs it, tests build it. */
export function createWorker(env: WorkerEnv, logger: Logger) {
  // Access tokens are the api's: the worker gets no access-token key, so it can never mint one.
  const tokens = tokensFromEnv(env)
  const broker = brokerFromEnv(env, { name: 'authmail-worker', logger })
  const mailer = createMailer(env)
  const stats: WorkerStats = { sent: 0, retried: 0, dead: 0, duplicates: 0 }
  const handler = createJobHandler({
    compose: createComposer(env, tokens),
    mailer,
    outcomes: createOutcomes(broker, createReceiptSeal(env.JWT_SECRET)),
    sent: createSentCache(),
    stats,
    logger,
    defaultLocale: env.DEFAULT_LOCALE,
    messageIdHost: new URL(env.PUBLIC_BASE_URL).hostname,
  })

  return {
    broker,
    stats,

    /** Connects in the background (retrying while RabbitMQ is away) and consumes mail.jobs. */
    async start(): Promise<void> {
      broker.start()
      await broker.consume(broker.names.jobs, handler, { prefetch: env.WORKER_PREFETCH })
    },

    /**
     * Stops taking jobs, lets in-flight ones finish within `drainTimeoutMs`, then
     * closes channels and connection (unfinished jobs return to the queue) and the SMTP pool.
     */
    async stop(drainTimeoutMs = env.WORKER_SHUTDOWN_TIMEOUT_MS): Promise<void> {
      await broker.close({ drainTimeoutMs })
      mailer.close()
    },
  }
}

export type Worker = ReturnType<typeof createWorker>
