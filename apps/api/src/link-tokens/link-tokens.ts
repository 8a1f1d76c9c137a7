import { type TokenClaims, TokenError, type TokenPurpose, type Tokens } from '@authmail/tokens'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import type { User, Users } from '../users/users-repository.ts'
import { usedTokens } from './used-tokens-repository.ts'

export interface CheckedLink {
  claims: TokenClaims
  user: User
}

/**
 * A link token's signature, purpose and expiry, then its account: still there,
 * at the address the mail went to. Whether it was used is the caller's next
 * step ({@link assertUnused}), so each link can order its own answers.
 */
export async function readLinkToken(
  deps: { tokens: Tokens; users: Users },
  q: Queryable,
  token: string,
  purposes: readonly TokenPurpose[],
  // `boundToAccount: false`: a link standing for a row of the api that records its address (a change of address).
  { forUpdate = false, boundToAccount = true } = {},
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
  // A link acts on the address it was mailed to, not on whatever the account holds now.
  if (boundToAccount && !deps.tokens.sentTo(claims, user.email)) throw new AppError('AUTH_INVALID_TOKEN')
  return { claims, user }
}

/** Refuses a token already consumed, or minted before the user's last password change. */
export async function assertUnused(q: Queryable, { claims, user }: CheckedLink): Promise<void> {
  if (claims.ver !== user.credential_version) throw new AppError('AUTH_TOKEN_USED')
  if (await usedTokens.isUsed(q, claims.jti)) throw new AppError('AUTH_TOKEN_USED')
}

/** Everything that makes a link token usable, short of consuming it. */
export async function checkLinkToken(
  deps: { tokens: Tokens; users: Users },
  q: Queryable,
  token: string,
  purposes: readonly TokenPurpose[],
  options: { forUpdate?: boolean } = {},
): Promise<CheckedLink> {
  const link = await readLinkToken(deps, q, token, purposes, options)
  await assertUnused(q, link)
  return link
}

/**
 * Marks a token (a link's, or the one behind a code) used, in the caller's
 * transaction; throws if a concurrent request was first. A code and its link
 * share the jti, so they cannot both be used.
 */
export async function consumeLinkToken(
  q: Queryable,
  token: Pick<TokenClaims, 'jti' | 'sub' | 'exp'>,
): Promise<void> {
  const fresh = await usedTokens.markUsed(q, { jti: token.jti, userId: token.sub, exp: token.exp })
  if (!fresh) throw new AppError('AUTH_TOKEN_USED')
}
