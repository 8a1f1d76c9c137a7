import type { Queryable } from '../db/driver.ts'

/** The client that signed in, as the session list shows it; null where the request did not say. */
export interface SessionClient {
  userAgent: string | null
  ip: string | null
}

/** One session (refresh-token family) as its owner sees it. */
export interface SessionRow {
  id: string
  created_at: Date
  last_used_at: Date
  user_agent: string | null
  ip: string | null
}

/**
 * Every statement on `refresh_tokens`. Times come from the app clock (which
 * tests move), never from the database's `now()`, so issuing, expiring and
 * revoking all agree on what "now" is.
 */
export function createRefreshTokens(now: () => number) {
  const at = (ms = now()) => new Date(ms).toISOString()

  /*
   * Revocations lock the rows first, then update them in a second statement:
   * under READ COMMITTED that statement sees a token a concurrent refresh of
   * the family committed while we waited for its lock, so it is revoked too.
   */
  async function revokeFamily(q: Queryable, familyId: string): Promise<void> {
    await q.query('SELECT 1 FROM refresh_tokens WHERE family_id = $1 FOR UPDATE', [familyId])
    await q.query(
      'UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE family_id = $1 AND revoked_at IS NULL',
      [familyId, at()],
    )
  }

  return {
    /**
     * A token of a session that began at `startedAt`: it expires after its own
     * TTL (the sliding window) or when the session reaches its maximum age, whichever comes first.
     */
    async insert(
      q: Queryable,
      row: {
        userId: string
        familyId: string
        hash: string
        ttlSeconds: number
        startedAt: Date
        maxAgeSeconds: number
        client: SessionClient
      },
    ) {
      const expires = Math.min(
        now() + row.ttlSeconds * 1000,
        row.startedAt.getTime() + row.maxAgeSeconds * 1000,
      )
      await q.query(
        `INSERT INTO refresh_tokens
           (user_id, family_id, token_hash, expires_at, created_at, session_started_at, last_used_at, user_agent, ip)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6::timestamptz, $5::timestamptz, $7, $8)`,
        [
          row.userId,
          row.familyId,
          row.hash,
          at(expires),
          at(),
          row.startedAt.toISOString(),
          row.client.userAgent,
          row.client.ip,
        ],
      )
    },

    /**
     * Locks every token of the presented token's family until the transaction
     * ends, and returns the presented one: a refresh and a revocation of that
     * family then run one after the other, never interleaved.
     */
    async lockFamilyOf(
      q: Queryable,
      hash: string,
    ): Promise<{ family_id: string; user_id: string; used_at: Date | null } | null> {
      const { rows } = await q.query<{
        family_id: string
        user_id: string
        used_at: Date | null
        token_hash: string
      }>(
        `SELECT family_id, user_id, used_at, token_hash FROM refresh_tokens
          WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)
          FOR UPDATE`,
        [hash],
      )
      return rows.find((row) => row.token_hash === hash) ?? null
    },

    /** Marks a live token used; null if it is unknown, used, revoked or expired. */
    async use(
      q: Queryable,
      hash: string,
    ): Promise<{
      user_id: string
      family_id: string
      session_started_at: Date
      client: SessionClient
    } | null> {
      const { rows } = await q.query<{
        user_id: string
        family_id: string
        session_started_at: Date
        user_agent: string | null
        ip: string | null
      }>(
        `UPDATE refresh_tokens SET used_at = $2::timestamptz
          WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2::timestamptz
          RETURNING user_id, family_id, coalesce(session_started_at, created_at) AS session_started_at, user_agent, ip`,
        [hash, at()],
      )
      const row = rows[0]
      if (!row) return null
      return {
        user_id: row.user_id,
        family_id: row.family_id,
        session_started_at: new Date(row.session_started_at),
        client: { userAgent: row.user_agent, ip: row.ip },
      }
    },

    async find(
      q: Queryable,
      hash: string,
    ): Promise<{ family_id: string; user_id: string; used_at: Date | null; live: boolean } | null> {
      const { rows } = await q.query<{
        family_id: string
        user_id: string
        used_at: Date | null
        live: boolean
      }>(
        `SELECT family_id, user_id, used_at,
                (used_at IS NULL AND revoked_at IS NULL AND expires_at > $2::timestamptz) AS live
           FROM refresh_tokens WHERE token_hash = $1`,
        [hash, at()],
      )
      return rows[0] ?? null
    },

    revokeFamily,

    /**
     * The user's live sessions, one row per family: its one token that is
     * neither used, revoked nor expired carries the family's login data.
     */
    async listLive(q: Queryable, userId: string): Promise<SessionRow[]> {
      const { rows } = await q.query<SessionRow>(
        `SELECT family_id AS id, coalesce(session_started_at, created_at) AS created_at,
                coalesce(last_used_at, created_at) AS last_used_at, user_agent, ip
           FROM refresh_tokens
          WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2::timestamptz
          ORDER BY last_used_at DESC, family_id`,
        [userId, at()],
      )
      return rows
    },

    /**
     * Ends one live session of the user; false if the user has no live session
     * of that id. The family is locked before its liveness is read, so a
     * refresh committed meanwhile (its new token live) is seen, not missed.
     */
    async revokeLiveFamilyOf(q: Queryable, userId: string, familyId: string): Promise<boolean> {
      await q.query('SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND user_id = $2 FOR UPDATE', [
        familyId,
        userId,
      ])
      const { rows } = await q.query(
        `SELECT 1 FROM refresh_tokens
          WHERE family_id = $1 AND user_id = $2 AND used_at IS NULL AND revoked_at IS NULL
            AND expires_at > $3::timestamptz`,
        [familyId, userId, at()],
      )
      if (rows.length === 0) return false
      await revokeFamily(q, familyId)
      return true
    },

    /** Ends every session of a user: sign out everywhere, or a password change. */
    async revokeAllOf(q: Queryable, userId: string): Promise<void> {
      await q.query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 FOR UPDATE', [userId])
      await q.query(
        'UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE user_id = $1 AND revoked_at IS NULL',
        [userId, at()],
      )
    },

    /** Every token of the user, live or not (the account is being deleted). */
    async deleteOfUser(q: Queryable, userId: string): Promise<void> {
      await q.query('DELETE FROM refresh_tokens WHERE user_id = $1', [userId])
    },

    /** Tokens past their expiry can never be used again: the cleanup drops them. */
    async deleteExpired(q: Queryable): Promise<void> {
      await q.query('DELETE FROM refresh_tokens WHERE expires_at <= $1::timestamptz', [at()])
    },
  }
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>
