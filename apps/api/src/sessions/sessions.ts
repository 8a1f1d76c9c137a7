import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Tokens } from '@authmail/tokens'
import fp from 'fastify-plugin'
import type { Db, Queryable } from '../db/driver.ts'
import type { User } from '../users/users-repository.ts'
import { createRefreshTokens } from './refresh-tokens-repository.ts'

/** What login, refresh and a password change answer with. */
export interface TokenPair {
  access_token: string
  refresh_token: string
  token_type: 'Bearer'
  expires_in: number
}

export type Rotation =
  | { ok: true; userId: string; familyId: string }
  | { ok: false; reason: 'invalid' | 'ended' | 'reused' }

/** Only the hash is stored: a leaked table cannot be replayed as sessions. */
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Sessions: an access JWT plus an opaque refresh token. Each login starts a
 * family; every refresh marks the presented token used and issues the next
 * one of the family. A used token presented again means two parties hold it
 * (one of them stole it), so the whole family is revoked.
 */
export function createSessions(deps: {
  tokens: Tokens
  accessTtl: number
  refreshTtl: number
  now: () => number
}) {
  const { tokens, accessTtl, refreshTtl } = deps
  const refreshTokens = createRefreshTokens(deps.now)

  async function issue(q: Queryable, user: User, familyId: string): Promise<TokenPair> {
    const refresh = randomBytes(32).toString('base64url')
    await refreshTokens.insert(q, {
      userId: user.id,
      familyId,
      hash: hashOf(refresh),
      ttlSeconds: refreshTtl,
    })
    const access = tokens.sign('access', { sub: user.id, ver: user.credential_version, role: user.role })
    return { access_token: access.token, refresh_token: refresh, token_type: 'Bearer', expires_in: accessTtl }
  }

  return {
    /** A new session (a new family) for a user who just proved their password. */
    start: (q: Queryable, user: User) => issue(q, user, randomUUID()),

    /** The next token pair of the family, for the user `rotate` returned. */
    next: (q: Queryable, user: User, familyId: string) => issue(q, user, familyId),

    /**
     * Uses up a refresh token. Runs in its own transaction so that a detected
     * reuse commits the family's revocation even though the request fails.
     */
    async rotate(db: Db, token: string): Promise<Rotation> {
      return db.transaction(async (tx) => {
        const used = await refreshTokens.use(tx, hashOf(token))
        if (used) return { ok: true, userId: used.user_id, familyId: used.family_id }
        const found = await refreshTokens.find(tx, hashOf(token))
        if (!found) return { ok: false, reason: 'invalid' }
        if (found.used_at === null) return { ok: false, reason: 'ended' }
        await refreshTokens.revokeFamily(tx, found.family_id)
        return { ok: false, reason: 'reused' }
      })
    },

    /**
     * Ends the session (the family) a refresh token belongs to; unknown tokens
     * are ignored. Returns the user only if the token was still live, so an
     * old, leaked token cannot be used to act on the account.
     */
    async end(q: Queryable, token: string): Promise<string | null> {
      const found = await refreshTokens.find(q, hashOf(token))
      if (!found) return null
      await refreshTokens.revokeFamily(q, found.family_id)
      return found.live ? found.user_id : null
    },

    /** Ends every session of a user (sign out everywhere). */
    endAll: refreshTokens.revokeAllOf,

    /** Drops refresh tokens past their expiry (the cleanup's job). */
    pruneExpired: refreshTokens.deleteExpired,
  }
}

export type Sessions = ReturnType<typeof createSessions>

declare module 'fastify' {
  interface FastifyInstance {
    sessions: Sessions
  }
}

export default fp(
  async (app) => {
    const { tokens, env, now } = app
    app.decorate(
      'sessions',
      createSessions({ tokens, accessTtl: env.ACCESS_TOKEN_TTL, refreshTtl: env.REFRESH_TOKEN_TTL, now }),
    )
  },
  { name: 'sessions', dependencies: ['env', 'tokens'] },
)
