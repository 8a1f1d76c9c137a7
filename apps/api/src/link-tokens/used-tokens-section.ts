import type { AccountSectionFactory } from '../account-data/account-section.ts'
import { usedTokens } from './used-tokens-repository.ts'

/** Ids of consumed link tokens: bookkeeping of secrets, erased and never exported. */
export const usedLinksSection: AccountSectionFactory = () => ({
  name: 'used_links',
  erase: (q, user) => usedTokens.deleteOfUsers(q, [user.id]),
})
