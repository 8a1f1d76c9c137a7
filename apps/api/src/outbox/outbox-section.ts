import { z } from 'zod'
import type { AccountSectionFactory } from '../account-data/account-section.ts'
import { outboxRows } from './outbox-repository.ts'

const MailQueuedSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  type: z.string(),
  queued_at: z.string().meta({ format: 'date-time' }),
  handed_to_broker_at: z.string().meta({ format: 'date-time' }).nullable(),
})

/**
 * Mail jobs for the user or the address, kept until OUTBOX_RETENTION after
 * they were handed over. A job holds no token (the worker mints it), but only
 * its type and times are shown.
 */
export const mailsQueuedSection: AccountSectionFactory = () => ({
  name: 'mails_queued',
  export: {
    schema: z.array(MailQueuedSchema),
    read: async (q, user) =>
      (await outboxRows.listOf(q, user)).map((row) => ({
        id: row.id,
        type: row.type,
        queued_at: new Date(row.created_at).toISOString(),
        handed_to_broker_at: row.published_at ? new Date(row.published_at).toISOString() : null,
      })),
  },
  erase: (q, user) => outboxRows.deleteOf(q, user),
})
