import type { Queryable } from '../db/driver.ts'
import { type Sql, sql } from '../db/sql.ts'

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'soft_bounces', 'smtp_rejected'] as const
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number]

/** The reasons that say the mailbox does not exist: an unconfirmed account at such an address goes. */
export const HARD_BOUNCE_REASONS: readonly SuppressionReason[] = ['hard_bounce', 'smtp_rejected']

export interface Suppression {
  email: string
  reason: SuppressionReason
  source: string
  detail: string | null
  created_at: Date
}

export interface SuppressionCursor {
  createdAt: string
  email: string
}

/**
 * Every statement on `suppressions`. Addresses arrive normalised (users/email.ts)
 * and are lower-cased here, by the database, the way `users` compares them
 * (`lower(email)`), so both sides of every comparison agree.
 */
export const suppressionRows = {
  /** The address's suppression as the body of a CTE (one row with its reason, or none), for a statement that queues mail. */
  reasonStep(email: string): Sql {
    return sql`SELECT reason FROM suppressions WHERE email = lower(${email})`
  },

  /** True when the address was not suppressed before: the first reason stays. */
  async insert(
    q: Queryable,
    row: { email: string; reason: SuppressionReason; source: string; detail: string | null },
  ): Promise<boolean> {
    const { rowCount } = await q.query(
      `INSERT INTO suppressions (email, reason, source, detail) VALUES (lower($1), $2, $3, $4)
       ON CONFLICT (email) DO NOTHING`,
      [row.email, row.reason, row.source, row.detail],
    )
    return rowCount > 0
  },

  /** Why the address is suppressed, or null when it is not. */
  async reasonOf(q: Queryable, email: string): Promise<SuppressionReason | null> {
    const { rows } = await q.query<{ reason: SuppressionReason }>(
      'SELECT reason FROM suppressions WHERE email = lower($1)',
      [email],
    )
    return rows[0]?.reason ?? null
  },

  /** Those of `emails` (as given) that are suppressed: one query for a page of users. */
  async among(q: Queryable, emails: readonly string[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set()
    const { rows } = await q.query<{ email: string }>(
      `SELECT given AS email FROM unnest($1::text[]) AS given
        WHERE EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(given))`,
      [emails],
    )
    return new Set(rows.map((row) => row.email))
  },

  /** A page, newest first, by keyset; created_at travels as PostgreSQL's text to keep its microseconds. */
  async list(q: Queryable, filter: { limit: number; cursor?: SuppressionCursor }) {
    const { rows } = await q.query<Suppression & { cursor_at: string }>(
      `SELECT email, reason, source, detail, created_at, created_at::text AS cursor_at FROM suppressions
        WHERE $1::timestamptz IS NULL OR (created_at, email) < ($1::timestamptz, $2::text)
        ORDER BY created_at DESC, email DESC
        LIMIT $3`,
      [filter.cursor?.createdAt ?? null, filter.cursor?.email ?? null, filter.limit + 1],
    )
    const page = rows.slice(0, filter.limit)
    const last = page.at(-1)
    const next = rows.length > filter.limit && last ? { createdAt: last.cursor_at, email: last.email } : null
    return { suppressions: page.map(({ cursor_at: _, ...row }) => row as Suppression), next }
  },

  /** False when the address was not suppressed. */
  async delete(q: Queryable, email: string): Promise<boolean> {
    const { rowCount } = await q.query('DELETE FROM suppressions WHERE email = lower($1)', [email])
    return rowCount > 0
  },
}
