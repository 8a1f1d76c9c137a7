import type { Queryable } from '../db/driver.ts'

/** Every statement on `verification_code_attempts`: tries at the code of one verification token. */
export const codeAttempts = {
  /** Counts one more try at the token's code and returns the count so far (this one included). */
  async count(q: Queryable, token: { token_id: string; expires_at: Date }, userId: string): Promise<number> {
    const { rows } = await q.query<{ attempts: number }>(
      `INSERT INTO verification_code_attempts (token_id, user_id, attempts, expires_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (token_id) DO UPDATE SET attempts = verification_code_attempts.attempts + 1
       RETURNING attempts`,
      [token.token_id, userId, token.expires_at],
    )
    // No row back cannot happen with this upsert; counting it as too many fails safe.
    return rows[0]?.attempts ?? Number.POSITIVE_INFINITY
  },

  /** The user's counts (the account is being deleted). */
  async deleteOfUser(q: Queryable, userId: string): Promise<void> {
    await q.query('DELETE FROM verification_code_attempts WHERE user_id = $1', [userId])
  },

  /** Deletes up to `limit` counts of tokens expired before `at` (the retention job): their code is refused anyway. */
  async deleteExpired(q: Queryable, at: string, limit: number): Promise<number> {
    const { rowCount } = await q.query(
      `DELETE FROM verification_code_attempts WHERE token_id IN (
         SELECT token_id FROM verification_code_attempts WHERE expires_at <= $1::timestamptz LIMIT $2)`,
      [at, limit],
    )
    return rowCount
  },
}
