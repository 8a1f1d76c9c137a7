import { z } from 'zod'
import type { AccountSectionFactory } from '../account-data/account-section.ts'

const FailedSignInsSchema = z
  .object({ count: z.number().int(), last_at: z.string().meta({ format: 'date-time' }) })
  .nullable()

/**
 * Wrong passwords counted for the address. Only the total is shown: the
 * per-client rows carry the addresses of whoever tried, which are not the owner's data.
 */
export const signInSection: AccountSectionFactory = ({ loginThrottle }) => ({
  name: 'failed_sign_ins',
  export: {
    schema: FailedSignInsSchema,
    read: async (q, user) => {
      const row = await loginThrottle.addressCount(q, user.email)
      return row ? { count: row.attempts, last_at: new Date(row.last_attempt_at).toISOString() } : null
    },
  },
  erase: (q, user) => loginThrottle.clearAddress(q, user.email),
})
