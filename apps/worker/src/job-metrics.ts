import type { MessageHandler } from '@authmail/broker'
import type { Mailer } from './mailer.ts'
import type { WorkerMetrics } from './metrics.ts'

/** What the job handler reports, by mail kind; a message that is not a valid job counts as `unknown`. */
export interface JobMetrics {
  sent(kind: string): void
  failed(kind: string | undefined, outcome: 'retry' | 'dead'): void
  duplicate(): void
}

export function jobMetrics(metrics: WorkerMetrics): JobMetrics {
  return {
    sent: (kind) => metrics.mailsSent.inc({ kind }),
    failed: (kind, outcome) => metrics.mailFailures.inc({ kind: kind ?? 'unknown', outcome }),
    duplicate: () => metrics.duplicatesSkipped.inc(),
  }
}

/** Counts the jobs under way around any handler, whatever way it ends. */
export function countInFlight(handler: MessageHandler, metrics: WorkerMetrics): MessageHandler {
  return async (message, settle) => {
    metrics.jobsInFlight.inc()
    try {
      await handler(message, settle)
    } finally {
      metrics.jobsInFlight.dec()
    }
  }
}

/** Times every SMTP send, accepted or refused: a slow refusal is as telling as a slow success. */
export function timeSends(mailer: Mailer, metrics: WorkerMetrics): Mailer {
  return {
    ...mailer,
    async send(mail) {
      const done = metrics.smtpSendDuration.startTimer()
      try {
        await mailer.send(mail)
      } finally {
        done()
      }
    },
  }
}
