import { type TokenClaims, TokenError, type Tokens } from '@authmail/tokens'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import type { createUsers, User } from '../plugins/users.ts'

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
): Promise<{ claims: TokenClaims; user: User }> {
  let claims: TokenClaims
  try {
    claims = deps.tokens.verify(token, 'verify_email')
  } catch (error) {
    if (error instanceof TokenError) {
      throw new AppError(error.reason === 'expired' ? 'AUTH_TOKEN_EXPIRED' : 'AUTH_INVALID_TOKEN')
    }
    throw error
  }
  const user = await deps.users.findById(q, claims.sub, { forUpdate })
  if (!user) throw new AppError('AUTH_USER_NOT_FOUND')
  // The link confirms the address it was mailed to, not whatever the account holds now.
  if (claims.email && claims.email.toLowerCase() !== user.email.toLowerCase()) {
    throw new AppError('AUTH_INVALID_TOKEN')
  }
  if (user.email_verified_at)
    throw new AppError('AUTH_EMAIL_ALREADY_VERIFIED', { details: { email: user.email } })
  if (claims.ver !== user.credential_version) throw new AppError('AUTH_TOKEN_USED')
  const { rows } = await q.query('SELECT 1 FROM used_tokens WHERE jti = $1', [claims.jti])
  if (rows.length > 0) throw new AppError('AUTH_TOKEN_USED')
  return { claims, user }
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
