import { type MailReceipt, MailReceiptSchema } from '@authmail/contracts'
import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'
import { receiptsRecorded } from '../metrics.ts'

/** Stores a receipt once (redeliveries are idempotent); a deleted user's receipt keeps no link to them. */
export async function recordReceipt(q: Queryable, receipt: MailReceipt): Promise<void> {
  await q.query(
    `INSERT INTO mail_deliveries
       (job_id, user_id, email, type, purpose, token_id, token_expires_at, status, error, at)
     VALUES ($1, (SELECT id FROM users WHERE id = $2), $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (job_id) DO UPDATE SET status = excluded.status, error = excluded.error, at = excluded.at,
       token_id = excluded.token_id, token_expires_at = excluded.token_expires_at`,
    [
      receipt.jobId,
      receipt.userId,
      receipt.email,
      receipt.type,
      receipt.purpose,
      receipt.tokenId,
      receipt.tokenExpiresAt,
      receipt.status,
      receipt.error,
      receipt.at,
    ],
  )
}

/**
 * Consumes `mail.receipts`: what the worker sent, with the token id and expiry
 * the api needs to check codes and to show delivery status.
 */
export default fp(
  async (app) => {
    const { broker, db } = app
    const log = app.log.child({ component: 'receipts' })
    await broker.consume(
      broker.names.receipts,
      async (message, settle) => {
        let parsed: ReturnType<typeof MailReceiptSchema.safeParse>
        try {
          parsed = MailReceiptSchema.safeParse(JSON.parse(message.content.toString('utf8')))
        } catch {
          parsed = { success: false } as typeof parsed
        }
        if (!parsed.success) {
          // Nothing would ever make it valid; keeping it would block nothing but fill the queue.
          log.warn({ messageId: message.properties.messageId }, 'dropping an invalid receipt')
          settle.ack()
          return
        }
        // Unacked on a database error: the broker redelivers it later.
        await recordReceipt(db, parsed.data)
        receiptsRecorded.inc({ status: parsed.data.status })
        settle.ack()
      },
      { prefetch: 32 },
    )
  },
  { name: 'receipts', dependencies: ['db', 'broker'] },
)
