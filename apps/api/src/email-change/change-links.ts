import type { Tokens } from '@authmail/tokens'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import { readLinkToken } from '../link-tokens/link-tokens.ts'
import type { User, Users } from '../users/users-repository.ts'
import type { createEmailChange } from './email-change.ts'
import { type EmailChange, emailChanges } from './email-changes-repository.ts'

interface Deps {
  tokens: Tokens
  users: Users
  emailChange: ReturnType<typeof createEmailChange>
}

export interface CheckedChange {
  user: User
  change: EmailChange
  exp: number
  jti: string
}

/**
 * A confirmation link of a change of address, checked without using it up:
 * signature and expiry, the account, then the pending change its jti names
 * (still the newest, not done, made at the current password, the address still free).
 */
export async function checkChangeLink(
  deps: Deps,
  q: Queryable,
  token: string,
  { forUpdate = false } = {},
): Promise<CheckedChange> {
  const { claims, user } = await readLinkToken(deps, q, token, ['change_email'], {
    forUpdate,
    boundToAccount: false,
  })
  if (claims.ver !== user.credential_version) throw new AppError('AUTH_TOKEN_USED')
  const change = await emailChanges.find(q, claims.jti, { forUpdate })
  // Mailed to the new address, which the account does not hold yet: the binding is checked against the row.
  if (change && !deps.tokens.sentTo(claims, change.new_email)) throw new AppError('AUTH_INVALID_TOKEN')
  const problem = await deps.emailChange.problemOf(q, user, change)
  if (problem || !change) throw problem ?? new AppError('AUTH_INVALID_TOKEN')
  return { user, change, exp: claims.exp, jti: claims.jti }
}

/**
 * A revert link, checked without using it up. Its `ver` is not compared: whoever
 * moved the account may have changed the password since, and the link must still work.
 */
export async function checkRevertLink(
  deps: Deps,
  q: Queryable,
  token: string,
  { forUpdate = false } = {},
): Promise<CheckedChange> {
  const { claims, user } = await readLinkToken(deps, q, token, ['revert_email'], {
    forUpdate,
    boundToAccount: false,
  })
  const change = await emailChanges.findByRevertId(q, claims.jti, { forUpdate })
  // Mailed to the old address, which the account no longer holds: the binding is checked against the row.
  if (change && !deps.tokens.sentTo(claims, change.old_email)) throw new AppError('AUTH_INVALID_TOKEN')
  const problem = await deps.emailChange.revertProblemOf(q, user.id, change)
  if (problem || !change) throw problem ?? new AppError('AUTH_INVALID_TOKEN')
  return { user, change, exp: claims.exp, jti: claims.jti }
}
