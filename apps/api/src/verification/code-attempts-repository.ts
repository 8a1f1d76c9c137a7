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
}
