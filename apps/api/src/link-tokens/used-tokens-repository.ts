import type { Queryable } from '../db/driver.ts'

/** Every statement on `used_tokens`: the single-use record of link tokens and codes. */
export const usedTokens = {
  async isUsed(q: Queryable, jti: string): Promise<boolean> {
    const { rows } = await q.query('SELECT 1 FROM used_tokens WHERE jti = $1', [jti])
    return rows.length > 0
  },

  /** Records the token as used; false if it already was (a concurrent request came first). */
  async markUsed(q: Queryable, token: { jti: string; userId: string; exp: number }): Promise<boolean> {
    const { rowCount } = await q.query(
      `INSERT INTO used_tokens (jti, user_id, expires_at) VALUES ($1, $2, to_timestamp($3))
       ON CONFLICT (jti) DO NOTHING`,
      [token.jti, token.userId, token.exp],
    )
    return rowCount > 0
  },

  /**
   * Deletes up to `limit` rows of tokens expired before `at` (the retention
   * job): an expired token is refused by its signature check, used or not.
   */
  async deleteExpired(q: Queryable, at: string, limit: number): Promise<number> {
    const { rowCount } = await q.query(
      `DELETE FROM used_tokens WHERE jti IN (
         SELECT jti FROM used_tokens WHERE expires_at <= $1::timestamptz LIMIT $2)`,
      [at, limit],
    )
    return rowCount
  },

  /** used_tokens has no foreign key (a row outlives nothing it needs), so deleting users deletes these. */
  async deleteOfUsers(q: Queryable, userIds: readonly string[]): Promise<void> {
    if (userIds.length > 0)
      await q.query('DELETE FROM used_tokens WHERE user_id = ANY($1::uuid[])', [userIds])
  },
}
