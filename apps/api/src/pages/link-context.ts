import type { Locale } from '@authmail/contracts'
import { peekLinkToken, type Tokens } from '@authmail/tokens'
import type { Queryable } from '../db/driver.ts'
import type { AppError } from '../errors.ts'
import type { Users } from '../users/users-repository.ts'

export interface LinkContext {
  /** The address the link was mailed to: prefilled in the "send a new link" form. */
  email?: string
  /** The account's language, for the page that explains what went wrong. */
  locale?: Locale
}

/**
 * What a link that cannot be used still tells us, for the page only. The
 * payload is read without checking it, so it is trusted only when the
 * signature was good (expired, used, already confirmed) – never for a
 * damaged or foreign token – and only to choose a language and prefill a form.
 */
export async function linkContext(
  deps: { tokens: Tokens; users: Users },
  q: Queryable,
  token: string,
  error: AppError,
): Promise<LinkContext> {
  if (error.code === 'AUTH_INVALID_TOKEN') return {}
  const claims = peekLinkToken(token)
  if (!claims) return {}
  const user = await deps.users.findById(q, claims.sub).catch(() => null)
  // The address the link went to; after a change of address the new one is not shown to the old mailbox.
  const sentTo = user && deps.tokens.sentTo(claims, user.email) ? user.email : undefined
  return { email: claims.email ?? sentTo, locale: user?.locale }
}
