import { z } from 'zod'
import type { AccountSectionFactory } from '../account-data/account-section.ts'
import { emailChanges } from './email-changes-repository.ts'

const PendingChangeSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  new_email: z.string(),
  requested_at: z.string().meta({ format: 'date-time' }),
  expires_at: z.string().meta({ format: 'date-time' }),
})

/**
 * Changes of address waiting for the new address to confirm; never their codes.
 * Erasing them also forgets the pauses the confirmation mails set on the new addresses.
 */
export const emailChangesSection: AccountSectionFactory = ({ now, cooldowns }) => ({
  name: 'pending_email_changes',
  export: {
    schema: z.array(PendingChangeSchema),
    read: async (q, user) =>
      (await emailChanges.pendingFor(q, user.id, new Date(now()).toISOString())).map((change) => ({
        id: change.id,
        new_email: change.new_email,
        requested_at: new Date(change.created_at).toISOString(),
        expires_at: new Date(change.expires_at).toISOString(),
      })),
  },
  erase: async (q, user) => {
    for (const address of await emailChanges.newAddressesOf(q, user.id)) await cooldowns.deleteOf(q, address)
    await emailChanges.deleteOf(q, user.id)
  },
})
