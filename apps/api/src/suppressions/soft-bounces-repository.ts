import type { Queryable } from '../db/driver.ts'

/** Every statement on `soft_bounces`: temporary refusals, counted per address over a window. */
export const softBounceRows = {
  /** Records one at `at` and returns how many the address has had since `since` (this one included). */
  async record(q: Queryable, email: string, at: string, since: string): Promise<number> {
    await q.query('INSERT INTO soft_bounces (email, at) VALUES (lower($1), $2::timestamptz)', [email, at])
    const { rows } = await q.query<{ count: string }>(
      'SELECT count(*) AS count FROM soft_bounces WHERE email = lower($1) AND at > $2::timestamptz',
      [email, since],
    )
    return Number(rows[0]?.count ?? 0)
  },

  /** Forgets the address's count (its suppression was lifted: it starts afresh). */
  async deleteOf(q: Queryable, email: string): Promise<void> {
    await q.query('DELETE FROM soft_bounces WHERE email = lower($1)', [email])
  },

  /** Forgets soft bounces that no longer count (the cleanup's job). */
  async prune(q: Queryable, before: string): Promise<void> {
    await q.query('DELETE FROM soft_bounces WHERE at <= $1::timestamptz', [before])
  },
}
