import type { MailReceipt } from '@authmail/contracts'

/**
 * Job ids this process already sent, with their receipts, oldest evicted first.
 * A redelivery (a lost ack, a replay) then re-publishes the receipt instead of
 * mailing the user twice. Bounded: it only has to cover redeliveries, which
 * come soon after the first delivery.
 */
export function createSentCache(limit = 10_000) {
  const sent = new Map<string, MailReceipt>()
  return {
    get: (jobId: string) => sent.get(jobId),
    add(jobId: string, receipt: MailReceipt) {
      sent.delete(jobId)
      sent.set(jobId, receipt)
      if (sent.size > limit) {
        const oldest = sent.keys().next()
        if (!oldest.done) sent.delete(oldest.value)
      }
    },
  }
}

export type SentCache = ReturnType<typeof createSentCache>
