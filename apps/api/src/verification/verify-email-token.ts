import type { Tokens } from '@authmail/tokens'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import { assertUnused, type CheckedLink, readLinkToken } from '../link-tokens/link-tokens.ts'
import type { createUsers, User } from '../users/users.ts'

type Users = ReturnType<typeof createUsers>

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

/** Marks the address confirmed and the token (link or code) used, in the caller's transaction. */
export async function confirmEmail(
  q: Queryable,
  user: Pick<User, 'id'>,
  token: { jti: string; exp: number },
): Promise<{ email: string }> {
  // The same single-use record as links: a code and its link cannot both confirm.
  const used = await q.query(
    `INSERT INTO used_tokens (jti, user_id, expires_at) VALUES ($1, $2, to_timestamp($3))
     ON CONFLICT (jti) DO NOTHING`,
    [token.jti, user.id, token.exp],
  )
  if (used.rowCount === 0) throw new AppError('AUTH_TOKEN_USED')
  const { rows } = await q.query<{ email: string }>(
    `UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
      WHERE id = $1 RETURNING email`,
    [user.id],
  )
  if (!rows[0]) throw new AppError('AUTH_USER_NOT_FOUND')
  return rows[0]
}
