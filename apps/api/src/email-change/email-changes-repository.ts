import type { Queryable } from '../db/driver.ts'

export interface EmailChange {
  id: string
  user_id: string
  old_email: string
  new_email: string
  credential_version: number
  created_at: Date
  expires_at: Date
  code_attempts: number
  superseded_at: Date | null
  confirmed_at: Date | null
  revert_id: string | null
  revert_expires_at: Date | null
  reverted_at: Date | null
  revert_closed_at: Date | null
}

/** A change still waiting for its link or code. */
const PENDING = 'superseded_at IS NULL AND confirmed_at IS NULL'

/**
 * Every statement on `email_changes`. Times come from the app clock (ISO
 * strings), like sessions and cooldowns, so tests can move them.
 */
export const emailChanges = {
  /** Ends every pending change of the user: a newer request replaces them, their links and codes die. */
  async supersedePending(q: Queryable, userId: string, at: string): Promise<void> {
    await q.query(
      `UPDATE email_changes SET superseded_at = $2::timestamptz WHERE user_id = $1 AND ${PENDING}`,
      [userId, at],
    )
  },

  async insert(
    q: Queryable,
    row: {
      id: string
      userId: string
      oldEmail: string
      newEmail: string
      credentialVersion: number
      at: string
      ttlSeconds: number
    },
  ): Promise<void> {
    await q.query(
      `INSERT INTO email_changes (id, user_id, old_email, new_email, credential_version, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $6::timestamptz + make_interval(secs => $7))`,
      [row.id, row.userId, row.oldEmail, row.newEmail, row.credentialVersion, row.at, row.ttlSeconds],
    )
  },

  async find(q: Queryable, id: string, { forUpdate = false } = {}): Promise<EmailChange | null> {
    const { rows } = await q.query<EmailChange>(
      `SELECT * FROM email_changes WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    )
    return rows[0] ?? null
  },

  async findByRevertId(q: Queryable, revertId: string, { forUpdate = false } = {}) {
    const { rows } = await q.query<EmailChange>(
      `SELECT * FROM email_changes WHERE revert_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [revertId],
    )
    return rows[0] ?? null
  },

  /** The user's newest change still waiting (expired or not: the caller says which answer that gets). */
  async latestPending(q: Queryable, userId: string): Promise<EmailChange | null> {
    const { rows } = await q.query<EmailChange>(
      `SELECT * FROM email_changes WHERE user_id = $1 AND ${PENDING}
        ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
      [userId],
    )
    return rows[0] ?? null
  },

  /** Counts one more try at the change's code and returns the count so far (this one included). */
  async countCodeAttempt(q: Queryable, id: string): Promise<number> {
    const { rows } = await q.query<{ code_attempts: number }>(
      'UPDATE email_changes SET code_attempts = code_attempts + 1 WHERE id = $1 RETURNING code_attempts',
      [id],
    )
    return rows[0]?.code_attempts ?? Number.POSITIVE_INFINITY
  },

  /** Marks the change done and records the revert link the old address gets. */
  async confirm(
    q: Queryable,
    id: string,
    revert: { revertId: string; at: string; ttlSeconds: number },
  ): Promise<void> {
    await q.query(
      `UPDATE email_changes SET confirmed_at = $2::timestamptz, revert_id = $3,
              revert_expires_at = $2::timestamptz + make_interval(secs => $4)
        WHERE id = $1`,
      [id, revert.at, revert.revertId, revert.ttlSeconds],
    )
  },

  /**
   * Records the revert of one change and closes the revert links of every
   * change of the account: each of them was mailed to an address the account
   * has given up by now, so none may move it again.
   */
  async markReverted(q: Queryable, change: Pick<EmailChange, 'id' | 'user_id'>, at: string) {
    await q.query('UPDATE email_changes SET reverted_at = $2::timestamptz WHERE id = $1', [change.id, at])
    await q.query(
      `UPDATE email_changes SET revert_closed_at = $2::timestamptz
        WHERE user_id = $1 AND revert_closed_at IS NULL`,
      [change.user_id, at],
    )
    await emailChanges.supersedePending(q, change.user_id, at)
  },

  /**
   * Deletes up to `limit` rows whose code expired and whose revert window (if
   * it was confirmed) ended before `at` (the retention job passes a time well
   * before now: a link minted late by a delayed mail may outlive the row's own times).
   */
  async deleteSpent(q: Queryable, at: string, limit: number): Promise<number> {
    const { rowCount } = await q.query(
      `DELETE FROM email_changes WHERE id IN (
         SELECT id FROM email_changes
          WHERE greatest(expires_at, coalesce(revert_expires_at, expires_at)) <= $1::timestamptz LIMIT $2)`,
      [at, limit],
    )
    return rowCount
  },

  /**
   * The user's changes still waiting for confirmation, newest first: what an
   * account export lists. Expired ones are left out; they can no longer happen.
   */
  async pendingFor(
    q: Queryable,
    userId: string,
    at: string = new Date().toISOString(),
  ): Promise<{ id: string; new_email: string; created_at: Date; expires_at: Date }[]> {
    const { rows } = await q.query<{ id: string; new_email: string; created_at: Date; expires_at: Date }>(
      `SELECT id, new_email, created_at, expires_at FROM email_changes
        WHERE user_id = $1 AND ${PENDING} AND expires_at > $2::timestamptz
        ORDER BY created_at DESC`,
      [userId, at],
    )
    return rows
  },

  /** Every address the account asked to move to. */
  async newAddressesOf(q: Queryable, userId: string): Promise<string[]> {
    const { rows } = await q.query<{ new_email: string }>(
      'SELECT DISTINCT new_email FROM email_changes WHERE user_id = $1',
      [userId],
    )
    return rows.map((r) => r.new_email)
  },

  /** Every change of the account, pending or done (it is being deleted). */
  async deleteOf(q: Queryable, userId: string): Promise<void> {
    await q.query('DELETE FROM email_changes WHERE user_id = $1', [userId])
  },
}
