import type { Queryable } from '../db/driver.ts'

/**
 * Wrong codes an address gets across all its mails: without this cap a new
 * mail every cooldown would give 5 more tries each time. 20 a day make a
 * lucky guess about 1 in 50,000 per address per day.
 */
export const MAX_CODE_FAILURES_PER_ADDRESS = 20
export const CODE_FAILURE_WINDOW_SECONDS = 86_400

/**
 * Every statement on `code_failures`: wrong codes per address within a window
 * that starts at the first failure. `at` is the app clock.
 */
export const codeFailures = {
  /** Wrong codes for the address in the current window. */
  async count(q: Queryable, email: string, at: Date, windowSeconds: number): Promise<number> {
    const { rows } = await q.query<{ failures: number }>(
      `SELECT failures FROM code_failures
        WHERE email = lower($1) AND window_started_at > $2::timestamptz - make_interval(secs => $3)`,
      [email, at.toISOString(), windowSeconds],
    )
    return rows[0]?.failures ?? 0
  },

  /** Counts one wrong code; a window that has ended starts over. */
  async record(q: Queryable, email: string, at: Date, windowSeconds: number): Promise<void> {
    await q.query(
      `INSERT INTO code_failures AS f (email, failures, window_started_at) VALUES (lower($1), 1, $2::timestamptz)
       ON CONFLICT (email) DO UPDATE SET
         failures = CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $3) THEN 1
                         ELSE f.failures + 1 END,
         window_started_at = CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $3)
                                  THEN $2::timestamptz ELSE f.window_started_at END`,
      [email, at.toISOString(), windowSeconds],
    )
  },

  /** Forgets the address's wrong codes (its confirmed account is being deleted). */
  async deleteOf(q: Queryable, email: string): Promise<void> {
    await q.query('DELETE FROM code_failures WHERE email = lower($1)', [email])
  },

  /** Forgets windows that have ended (the cleanup's job). */
  async prune(q: Queryable, at: Date, windowSeconds: number): Promise<void> {
    await q.query(
      'DELETE FROM code_failures WHERE window_started_at <= $1::timestamptz - make_interval(secs => $2)',
      [at.toISOString(), windowSeconds],
    )
  },
}
