import { type TokenClaims, TokenError, type TokenPurpose, type Tokens } from '@authmail/tokens'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import type { createUsers, User } from '../plugins/users.ts'

type Users = ReturnType<typeof createUsers>

export interface CheckedLink {
  claims: TokenClaims
  user: User
}

/**
 * Everything that makes a link token usable, short of consuming it: a valid
 * signature for one of `purposes`, an account that still exists at the same
 * address and credential version, and a jti not used before.
 */
export async function checkLinkToken(
  deps: { tokens: Tokens; users: Users },
  q: Queryable,
  token: string,
  purposes: readonly TokenPurpose[],
  { forUpdate = false } = {},
): Promise<CheckedLink> {
  let claims: TokenClaims
  try {
    claims = deps.tokens.verifyAny(token, purposes)
  } catch (error) {
    if (error instanceof TokenError) {
      throw new AppError(error.reason === 'expired' ? 'AUTH_TOKEN_EXPIRED' : 'AUTH_INVALID_TOKEN')
    }
    throw error
  }
  const user = await deps.users.findById(q, claims.sub, { forUpdate })
  if (!user) throw new AppError('AUTH_USER_NOT_FOUND')
  if (claims.email && claims.email.toLowerCase() !== user.email.toLowerCase()) {
    throw new AppError('AUTH_INVALID_TOKEN')
  }
  if (claims.ver !== user.credential_version || (await isUsed(q, claims.jti))) {
    throw new AppError('AUTH_TOKEN_USED')
  }
  return { claims, user }
}

async function isUsed(q: Queryable, jti: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM used_tokens WHERE jti = $1', [jti])
  return rows.length > 0
}

/** Marks the token used, in the caller's transaction; throws if a concurrent request was first. */
export async function consumeLinkToken(q: Queryable, claims: TokenClaims): Promise<void> {
  const { rowCount } = await q.query(
    `INSERT INTO used_tokens (jti, user_id, expires_at) VALUES ($1, $2, to_timestamp($3))
     ON CONFLICT (jti) DO NOTHING`,
    [claims.jti, claims.sub, claims.exp],
  )
  if (rowCount === 0) throw new AppError('AUTH_TOKEN_USED')
}
