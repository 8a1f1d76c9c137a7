import type { AccountSectionFactory } from '../account-data/account-section.ts'
import { loginCodes } from './login-codes-repository.ts'

/** The pending sign-in code: bookkeeping of a secret, so erased but not exported. */
export const loginCodesSection: AccountSectionFactory = () => ({
  name: 'sign_in_codes',
  erase: (q, user) => loginCodes.remove(q, user.id),
})
