import type { AccountSectionFactory } from '../account-data/account-section.ts'
import { codeAttempts } from './code-attempts-repository.ts'
import { codeFailures } from './code-failures-repository.ts'

/**
 * Tries at mailed codes. Nothing to export: the counts are keyed by token ids.
 * The per-address count is kept across deletions of unconfirmed accounts (see
 * 004_security.sql); an owner who deletes a confirmed account takes it along.
 */
export const codesSection: AccountSectionFactory = () => ({
  name: 'verification_codes',
  erase: async (q, user) => {
    await codeAttempts.deleteOfUser(q, user.id)
    await codeFailures.deleteOf(q, user.email)
  },
})
