import { MailReceiptSchema } from '@authmail/contracts'
import fp from 'fastify-plugin'
import { receiptsRecorded } from '../metrics.ts'

/**
 * Consumes `mail.receipts`: what the worker sent, with the token id and expiry
 * the api needs to check codes and to show delivery status.
 */
export default fp(
  async (app) => {
    const { broker, db, deliveries } = app
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
        await deliveries.record(db, parsed.data)
        receiptsRecorded.inc({ status: parsed.data.status })
        settle.ack()
      },
      { prefetch: 32 },
    )
  },
  { name: 'receipts', dependencies: ['db', 'broker', 'deliveries'] },
)
