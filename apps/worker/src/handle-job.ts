import { setTimeout as sleep } from 'node:timers/promises'
import type { ConsumeMessage, MessageHandler } from '@authmail/broker'
import { type Locale, type MailJob, type MailReceipt, REQUEST_ID_HEADER } from '@authmail/contracts'
import type { Logger } from '@authmail/logger'
import { classify } from './classify.ts'
import type { Compose } from './compose.ts'
import type { JobMetrics } from './job-metrics.ts'
import type { Mailer } from './mailer.ts'
import { failedReceipt, type Outcomes, retryCountOf, sentReceipt } from './outcomes.ts'
import { parseJob } from './parse-job.ts'
import type { SendSlots } from './send-slots.ts'
import type { SentCache } from './sent-cache.ts'

export interface WorkerStats {
  sent: number
  retried: number
  dead: number
  /** Deliveries of a job this process had already sent (a lost ack): receipt repeated, no second mail. */
  duplicates: number
}

export interface JobDeps {
  compose: Compose
  mailer: Mailer
  outcomes: Outcomes
  sent: SentCache
  /** Bounds the jobs composing and sending at once (see send-slots.ts); unbounded without it. */
  sendSlots?: SendSlots
  stats: WorkerStats
  /** Prometheus counters by kind; optional so tests of the handler alone need none. */
  metrics?: JobMetrics
  logger: Logger
  defaultLocale: Locale
  /** Host part of every Message-ID: the host of PUBLIC_BASE_URL. */
  messageIdHost: string
  /** Pause before giving a job back when the broker would not confirm its outcome. */
  requeueDelayMs?: number
}

/**
 * One job: parse, mint, render, send, receipt, ack. Whatever happens, the job
 * is acked only after its outcome (receipt, retry copy or dead copy) is
 * confirmed by the broker; if that is impossible it goes back to the queue.
 */
export function createJobHandler(deps: JobDeps): MessageHandler {
  const { outcomes, stats } = deps

  /** Sends the mail (unless this process already did) and returns the receipt to publish. */
  async function deliver(job: MailJob, log: Logger): Promise<MailReceipt> {
    const known = deps.sent.get(job.id)
    if (known) {
      stats.duplicates += 1
      deps.metrics?.duplicate()
      log.warn(
        { duplicates: stats.duplicates },
        'job was already sent by this worker; repeating its receipt only',
      )
      return known
    }
    const composeAndSend = async () => {
      const composed = deps.compose(job)
      await deps.mailer.send({ ...composed, to: job.email, messageId: `<${job.id}@${deps.messageIdHost}>` })
      return composed
    }
    const mail = await (deps.sendSlots ? deps.sendSlots.run(composeAndSend) : composeAndSend())
    const receipt = sentReceipt(job, mail)
    deps.sent.add(job.id, receipt)
    stats.sent += 1
    deps.metrics?.sent(job.type)
    log.info({ tokenId: mail.token?.jti }, 'mail sent')
    return receipt
  }

  async function fail(error: unknown, job: MailJob | null, message: ConsumeMessage, log: Logger) {
    const requestId = headerOf(message, REQUEST_ID_HEADER)
    const verdict = classify(error)
    if (verdict.retryable && outcomes.canRetry(message)) {
      await outcomes.retry(message, verdict.error)
      stats.retried += 1
      deps.metrics?.failed(job?.type, 'retry')
      log.warn({ err: verdict.error, attempt: retryCountOf(message) + 1 }, 'send failed; will retry')
      return
    }
    const reason = verdict.retryable ? 'retries_exhausted' : verdict.reason
    const recipientRefused = !verdict.retryable && verdict.recipientRefused
    await outcomes.dead(message, reason, verdict.error, job)
    if (job) await outcomes.receipt(failedReceipt(job, verdict.error, recipientRefused), requestId)
    stats.dead += 1
    deps.metrics?.failed(job?.type, 'dead')
    log.error({ reason, err: verdict.error }, 'job dead-lettered')
  }

  return async (message, settle) => {
    const requestId = headerOf(message, REQUEST_ID_HEADER)
    const log = deps.logger.child({ jobId: message.properties.messageId, requestId })
    let job: MailJob | null = null
    try {
      let receipt: MailReceipt
      try {
        job = parseJob(message.content, deps.defaultLocale)
        receipt = await deliver(job, log.child({ type: job.type }))
      } catch (error) {
        await fail(error, job, message, log)
        return settle.ack()
      }
      // Sent is sent: a receipt the broker refuses is retried by redelivery, not by a second mail.
      await outcomes.receipt(receipt, requestId)
      settle.ack()
    } catch (error) {
      // The broker did not confirm where the job went: hand it back rather than lose it.
      log.warn({ err: error }, 'could not record the outcome of a job; returning it to the queue')
      await sleep(deps.requeueDelayMs ?? 1000)
      settle.requeue()
    }
  }
}

function headerOf(message: ConsumeMessage, name: string): string | undefined {
  const value = message.properties.headers?.[name]
  return typeof value === 'string' ? value : undefined
}
