import type { ConsumeMessage } from '@authmail/broker'
import { MailReceiptSchema, REQUEST_ID_HEADER, SignedMailReceiptSchema } from '@authmail/contracts'
import type { ReceiptSeal } from '@authmail/tokens'
import fp from 'fastify-plugin'
import { events } from '../events/events.ts'
import { receiptsDropped, receiptsRecorded } from '../metrics.ts'
import { batched } from './batched.ts'

const PREFETCH = 32

type Receipt = ReturnType<typeof MailReceiptSchema.parse>
type Received = { receipt: Receipt; requestId: string | null }

type Checked =
  | { ok: true; receipt: Receipt }
  | { ok: false; reason: 'invalid' | 'unsigned' | 'bad_signature' }

/** A receipt is recorded only when it is well-formed and the worker's HMAC over its fields verifies. */
function check(content: Buffer, seal: ReceiptSeal): Checked {
  let raw: unknown
  try {
    raw = JSON.parse(content.toString('utf8'))
  } catch {
    return { ok: false, reason: 'invalid' }
  }
  const fields = MailReceiptSchema.safeParse(raw)
  if (!fields.success) return { ok: false, reason: 'invalid' }
  const signed = SignedMailReceiptSchema.safeParse(raw)
  if (!signed.success) return { ok: false, reason: 'unsigned' }
  // The seal covers the parsed fields only: anything else on the message is dropped by the schema.
  if (!seal.verify(fields.data, signed.data.signature)) return { ok: false, reason: 'bad_signature' }
  return { ok: true, receipt: fields.data }
}

/**
 * Consumes `mail.receipts`: what the worker sent, with the token id and expiry
 * the api needs to check codes and to show delivery status.
 */
export default fp(
  async (app) => {
    const { broker, db, deliveries, suppressions, relay, receiptSeal } = app
    const log = app.log.child({ component: 'receipts' })
    async function recordAll(received: Received[]): Promise<void> {
      const outcomes = lastPerJobStatus(received)
      await db.transaction(async (tx) => {
        // One statement per table for the whole burst.
        await deliveries.recordMany(
          tx,
          outcomes.map((item) => item.receipt),
        )
        await events.recordMailOutcomes(tx, outcomes)
        for (const { receipt } of outcomes) {
          // The mailbox is not there: mailing it again would only cost the sender its reputation.
          if (receipt.status === 'failed' && receipt.recipientRefused) {
            await suppressions.suppress(tx, {
              email: receipt.email,
              reason: 'smtp_rejected',
              source: 'smtp',
              detail: receipt.error,
            })
          }
        }
      })
      relay.kick()
    }
    // The receipts of one burst share a transaction: one COMMIT (and WAL flush) instead of one each.
    const recordInBatch = batched<Received>(recordAll, PREFETCH)
    // A batch that failed is tried again one receipt at a time, so a receipt that can never be
    // recorded is the only one left unacked, not the burst it arrived with.
    const record = (received: Received) => recordInBatch(received).catch(() => recordAll([received]))
    await broker.consume(
      broker.names.receipts,
      async (message, settle) => {
        const checked = check(message.content, receiptSeal)
        if (!checked.ok) {
          // Nothing would ever make it valid; keeping it would block nothing but fill the queue.
          log.warn({ messageId: message.properties.messageId, reason: checked.reason }, 'dropping a receipt')
          receiptsDropped.inc({ reason: checked.reason })
          settle.ack()
          return
        }
        // Unacked on a database error: the broker redelivers it later. The event's id comes from the
        // job and its status, so a redelivered receipt does not announce the mail twice.
        const { receipt } = checked
        await record({ receipt, requestId: headerOf(message, REQUEST_ID_HEADER) })
        receiptsRecorded.inc({ status: receipt.status })
        settle.ack()
      },
      { prefetch: PREFETCH },
    )
  },
  { name: 'receipts', dependencies: ['db', 'broker', 'deliveries', 'suppressions', 'tokens', 'outbox'] },
)

function headerOf(message: ConsumeMessage, name: string): string | null {
  const value = message.properties.headers?.[name]
  return typeof value === 'string' ? value : null
}

/** A redelivered receipt may share a batch with its first delivery: the last one of a job and status wins. */
function lastPerJobStatus(received: Received[]): Received[] {
  const byKey = new Map<string, Received>()
  for (const item of received) byKey.set(`${item.receipt.jobId}:${item.receipt.status}`, item)
  return [...byKey.values()]
}
