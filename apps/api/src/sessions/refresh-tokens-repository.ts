import type { Queryable } from '../db/driver.ts'

/**
 * Every statement on `refresh_tokens`. Times come from the app clock (which
 * tests move), never from the database's `now()`, so issuing, expiring and
 * revoking all agree on what "now" is.
 */
export function createRefreshTokens(now: () => number) {
  const at = (ms = now()) => new Date(ms).toISOString()

  return {
    async insert(q: Queryable, row: { userId: string; familyId: string; hash: string; ttlSeconds: number }) {
      await q.query(
        `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, created_at)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz)`,
        [row.userId, row.familyId, row.hash, at(now() + row.ttlSeconds * 1000), at()],
      )
    },

    /** Marks a live token used; null if it is unknown, used, revoked or expired. */
    async use(q: Queryable, hash: string): Promise<{ user_id: string; family_id: string } | null> {
      const { rows } = await q.query<{ user_id: string; family_id: string }>(
        `UPDATE refresh_tokens SET used_at = $2::timestamptz
          WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2::timestamptz
          RETURNING user_id, family_id`,
        [hash, at()],
      )
      return rows[0] ?? null
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

    async revokeFamily(q: Queryable, familyId: string): Promise<void> {
      await q.query(
        'UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE family_id = $1 AND revoked_at IS NULL',
        [familyId, at()],
      )
    },

    /** Ends every session of a user: sign out everywhere, or a password change. */
    async revokeAllOf(q: Queryable, userId: string): Promise<void> {
      await q.query(
        'UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE user_id = $1 AND revoked_at IS NULL',
        [userId, at()],
      )
    },

    /** Tokens past their expiry can never be used again: the cleanup drops them. */
    async deleteExpired(q: Queryable): Promise<void> {
      await q.query('DELETE FROM refresh_tokens WHERE expires_at <= $1::timestamptz', [at()])
    },
  }
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>
