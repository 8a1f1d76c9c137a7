import type { Tokens } from '@authmail/tokens'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import { events } from '../events/events.ts'
import {
  assertUnused,
  type CheckedLink,
  consumeLinkToken,
  readLinkToken,
} from '../link-tokens/link-tokens.ts'
import type { User, Users } from '../users/users-repository.ts'

/**
 * Checks a verification link without using it up. The order gives each case
 * its own answer: a bad or expired signature (401), a deleted account (404),
 * an address already confirmed (400, so a second click is "already
 * confirmed", not an error about the link), then a link that was used or
 * outlived a password change (401).
 */
export async function checkVerifyToken(
  deps: { tokens: Tokens; users: Users },
  q: Queryable,
  token: string,
  { forUpdate = false } = {},
): Promise<CheckedLink> {
  const link = await readLinkToken(deps, q, token, ['verify_email'], { forUpdate })
  if (link.user.email_verified_at) {
    throw new AppError('AUTH_EMAIL_ALREADY_VERIFIED', { details: { email: link.user.email } })
  }
  await assertUnused(q, link)
  return link
}

/**
 * Marks the address confirmed and the token (link or code) used, and records
 * `user.email_verified`, in the caller's transaction.
 */
export async function confirmEmail(
  users: Users,
  q: Queryable,
  user: Pick<User, 'id'>,
  token: { jti: string; exp: number },
  how: { method: 'link' | 'code'; requestId: string },
): Promise<{ email: string }> {
  await consumeLinkToken(q, { jti: token.jti, sub: user.id, exp: token.exp })
  const confirmed = await users.confirmEmail(q, user.id)
  if (!confirmed) throw new AppError('AUTH_USER_NOT_FOUND')
  const data = { email: confirmed.email, method: how.method }
  await events.record(q, { type: 'user.email_verified', userId: user.id, data }, { requestId: how.requestId })
  return confirmed
}
