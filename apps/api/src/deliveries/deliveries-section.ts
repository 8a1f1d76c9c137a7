import { z } from 'zod'
import type { AccountSectionFactory } from '../account-data/account-section.ts'

const MailSentSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  email: z.string().meta({ description: 'The address the mail went to' }),
  type: z.string(),
  status: z.enum(['sent', 'failed']),
  error: z.string().nullable(),
  at: z.string().meta({ format: 'date-time' }),
})

/** What the worker reported for mails to the user or the address; the token ids stay out. */
export const mailsSentSection: AccountSectionFactory = ({ deliveries }) => ({
  name: 'mails_sent',
  export: {
    schema: z.array(MailSentSchema),
    read: async (q, user) =>
      (await deliveries.listOf(q, user)).map((row) => ({
        id: row.job_id,
        email: row.email,
        type: row.type,
        status: row.status,
        error: row.error,
        at: new Date(row.at).toISOString(),
      })),
  },
  erase: (q, user) => deliveries.deleteOf(q, user),
})
