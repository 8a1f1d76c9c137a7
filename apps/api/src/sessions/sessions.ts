import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Tokens } from '@authmail/tokens'
import fp from 'fastify-plugin'
import type { Db, Queryable } from '../db/driver.ts'
import type { User } from '../users/users.ts'

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
  const { tokens, accessTtl, refreshTtl, now } = deps
  const at = (ms: number) => new Date(ms).toISOString()

  async function revokeFamily(q: Queryable, familyId: string) {
    await q.query(
      'UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE family_id = $1 AND revoked_at IS NULL',
      [familyId, at(now())],
    )
  }

  async function issue(q: Queryable, user: User, familyId: string): Promise<TokenPair> {
    const refresh = randomBytes(32).toString('base64url')
    await q.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, created_at)
       VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz)`,
      [user.id, familyId, hashOf(refresh), at(now() + refreshTtl * 1000), at(now())],
    )
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
        const { rows } = await tx.query<{ user_id: string; family_id: string }>(
          `UPDATE refresh_tokens SET used_at = $2::timestamptz
            WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2::timestamptz
            RETURNING user_id, family_id`,
          [hashOf(token), at(now())],
        )
        if (rows[0]) return { ok: true, userId: rows[0].user_id, familyId: rows[0].family_id }
        const { rows: known } = await tx.query<{ family_id: string; used_at: Date | null }>(
          'SELECT family_id, used_at FROM refresh_tokens WHERE token_hash = $1',
          [hashOf(token)],
        )
        const found = known[0]
        if (!found) return { ok: false, reason: 'invalid' }
        if (found.used_at === null) return { ok: false, reason: 'ended' }
        await revokeFamily(tx, found.family_id)
        return { ok: false, reason: 'reused' }
      })
    },

    /**
     * Ends the session (the family) a refresh token belongs to; unknown tokens
     * are ignored. Returns the user only if the token was still live, so an
     * old, leaked token cannot be used to act on the account.
     */
    async end(q: Queryable, token: string): Promise<string | null> {
      const { rows } = await q.query<{ family_id: string; user_id: string; live: boolean }>(
        `SELECT family_id, user_id,
                (used_at IS NULL AND revoked_at IS NULL AND expires_at > $2::timestamptz) AS live
           FROM refresh_tokens WHERE token_hash = $1`,
        [hashOf(token), at(now())],
      )
      const found = rows[0]
      if (!found) return null
      await revokeFamily(q, found.family_id)
      return found.live ? found.user_id : null
    },

    /** Ends every session of a user (sign out everywhere). */
    async endAll(q: Queryable, userId: string): Promise<void> {
      await q.query(
        'UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE user_id = $1 AND revoked_at IS NULL',
        [userId, at(now())],
      )
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    sessions: ReturnType<typeof createSessions>
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
