import type { Queryable } from '../db/driver.ts'

/** An account's pending sign-in code: the job that mails it, and what it was mailed for. */
export interface LoginCode {
  job_id: string
  email: string
  credential_version: number
}

/** Every statement on `login_codes`: the newest sign-in code request of each account. */
export const loginCodes = {
  /** Records a new request; it replaces the account's previous one and starts its tries over. */
  async replace(
    q: Queryable,
    code: { userId: string; jobId: string; email: string; credentialVersion: number; at: Date },
  ): Promise<void> {
    await q.query(
      `INSERT INTO login_codes (user_id, job_id, email, credential_version, attempts, requested_at)
       VALUES ($1, $2, $3, $4, 0, $5)
       ON CONFLICT (user_id) DO UPDATE SET job_id = excluded.job_id, email = excluded.email,
         credential_version = excluded.credential_version, attempts = 0, requested_at = excluded.requested_at`,
      [code.userId, code.jobId, code.email, code.credentialVersion, code.at.toISOString()],
    )
  },

  async find(q: Queryable, userId: string): Promise<LoginCode | null> {
    const { rows } = await q.query<LoginCode>(
      'SELECT job_id, email, credential_version FROM login_codes WHERE user_id = $1',
      [userId],
    )
    return rows[0] ?? null
  },

  /** Counts one more try at the account's code and returns the count so far (this one included). */
  async countTry(q: Queryable, userId: string): Promise<number> {
    const { rows } = await q.query<{ attempts: number }>(
      'UPDATE login_codes SET attempts = attempts + 1 WHERE user_id = $1 RETURNING attempts',
      [userId],
    )
    // No row: the request was replaced or used meanwhile; counting it as too many fails safe.
    return rows[0]?.attempts ?? Number.POSITIVE_INFINITY
  },

  /** The code was used: nothing is left to try. */
  async remove(q: Queryable, userId: string): Promise<void> {
    await q.query('DELETE FROM login_codes WHERE user_id = $1', [userId])
  },
}
