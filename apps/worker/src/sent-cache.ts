import type { MailReceipt } from '@authmail/contracts'

/**
 * Job ids this process already sent, with their receipts, oldest evicted first.
 * A redelivery (a lost ack, a replay) then re-publishes the receipt instead of
 * mailing the user twice. Bounded: it only has to cover redeliveries, which
 * come soon after the first delivery.
 *
 * Receipts are kept as JSON text: 10,000 receipt objects take ~17 MB of heap,
 * their text ~6 MB, and a redelivery (the only reader) is rare enough to parse.
 */
export function createSentCache(limit = 10_000) {
  const sent = new Map<string, string>()
  return {
    get(jobId: string): MailReceipt | undefined {
      const text = sent.get(jobId)
      return text === undefined ? undefined : (JSON.parse(text) as MailReceipt)
    },
    add(jobId: string, receipt: MailReceipt) {
      sent.delete(jobId)
      sent.set(jobId, JSON.stringify(receipt))
      if (sent.size > limit) {
        const oldest = sent.keys().next()
        if (!oldest.done) sent.delete(oldest.value)
      }
    },
  }
}

export type SentCache = ReturnType<typeof createSentCache>
