import { z } from 'zod'
import type { AccountSectionFactory } from '../account-data/account-section.ts'

const CooldownSchema = z.object({
  kind: z.string(),
  last_mail_at: z.string().meta({ format: 'date-time' }),
})

/** When the last mail of each kind went to the address (the resend pause). */
export const cooldownsSection: AccountSectionFactory = ({ cooldowns }) => ({
  name: 'mail_cooldowns',
  export: {
    schema: z.array(CooldownSchema),
    read: async (q, user) =>
      (await cooldowns.listOf(q, user.email)).map((row) => ({
        kind: row.kind,
        last_mail_at: new Date(row.sent_at).toISOString(),
      })),
  },
  erase: (q, user) => cooldowns.deleteOf(q, user.email),
})
