import type { AuthmailEvent, MailJob } from '@authmail/contracts'
import type { Queryable } from '../db/driver.ts'
import { type Sql, sql } from '../db/sql.ts'

export interface OutboxRow {
  id: string
  /** `mail`: a job for the `authmail` exchange; `event`: for the `authmail.events` exchange. */
  kind: 'mail' | 'event'
  payload: unknown
  request_id: string | null
}

/**
 * Every statement on `outbox`. Leases use the database clock on purpose: they
 * are shared by every api instance, whose own clocks may differ.
 */
export const outboxRows = {
  /** A job written next to the state change it announces, in the caller's transaction. */
  async insert(tx: Queryable, job: MailJob, requestId: string | null): Promise<void> {
    await tx.query('INSERT INTO outbox (id, payload, request_id) VALUES ($1, $2, $3)', [
      job.id,
      JSON.stringify(job),
      requestId,
    ])
  },

  /**
   * An event written next to the state change it reports. Its id may be derived from
   * what it reports (a receipt redelivered): a second insert of the same id changes nothing.
   */
  async insertEvent(tx: Queryable, event: AuthmailEvent, requestId: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO outbox (id, kind, payload, request_id) VALUES ($1, 'event', $2, $3) ON CONFLICT (id) DO NOTHING`,
      [event.id, JSON.stringify(event), requestId],
    )
  },

  /** {@link insertEvent} for many events in one statement (the receipts of a burst). */
  async insertEvents(
    tx: Queryable,
    events: readonly { event: AuthmailEvent; requestId: string | null }[],
  ): Promise<void> {
    if (events.length === 0) return
    const rows = events.map(({ event, requestId }) => ({
      id: event.id,
      payload: event,
      request_id: requestId,
    }))
    await tx.query(
      `INSERT INTO outbox (id, kind, payload, request_id)
       SELECT e.id, 'event', e.payload, e.request_id
         FROM jsonb_to_recordset($1::jsonb) AS e (id uuid, payload jsonb, request_id text)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(rows)],
      { name: 'outbox-insert-events' },
    )
  },

  /**
   * {@link insertEvent} as the body of a CTE (like {@link insertStep}): `events` selects
   * (id, payload, request_id). Returns each event's type.
   */
  insertEventStep(events: Sql): Sql {
    return sql`INSERT INTO outbox (id, kind, payload, request_id)
      SELECT id, 'event', payload, request_id FROM (${events}) AS e (id, payload, request_id)
      RETURNING payload->>'type' AS type`
  },

  /**
   * The insert of {@link insert} as the body of a CTE, so a state change and the job that
   * announces it are one statement: `jobs` selects (id, payload, request_id). Returns each job's type.
   */
  insertStep(jobs: Sql): Sql {
    return sql`INSERT INTO outbox (id, payload, request_id) ${jobs} RETURNING payload->>'type' AS type`
  },

  /** Leases up to `limit` unpublished rows, oldest first, skipping rows another instance holds. */
  async claim(q: Queryable, limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
    const { rows } = await q.query<OutboxRow>(
      `UPDATE outbox SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM outbox
           WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
           ORDER BY created_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, payload, request_id`,
      [limit, leaseSeconds],
      { name: 'outbox-claim' },
    )
    return rows
  },

  /** Jobs for the user or the address, oldest first: what the owner's data export shows as mails queued. */
  async listOf(
    q: Queryable,
    user: { id: string; email: string },
  ): Promise<{ id: string; type: string; created_at: Date; published_at: Date | null }[]> {
    const { rows } = await q.query<{ id: string; type: string; created_at: Date; published_at: Date | null }>(
      `SELECT id, payload->>'type' AS type, created_at, published_at FROM outbox
        WHERE kind = 'mail' AND (payload->>'userId' = $1 OR lower(payload->>'email') = lower($2))
        ORDER BY created_at, id`,
      [user.id, user.email],
    )
    return rows
  },

  /**
   * Deletes the jobs and events for the user or the address (the account is
   * being deleted): a job not yet published is then never sent, and an event
   * not yet published gives way to the `user.deleted` recorded after it.
   */
  async deleteOf(q: Queryable, user: { id: string; email: string }): Promise<void> {
    // Mail jobs name `userId` and `email`; events name `user_id` and `data.email`.
    await q.query(
      `DELETE FROM outbox
        WHERE payload->>'userId' = $1 OR lower(payload->>'email') = lower($2)
           OR payload->>'user_id' = $1 OR lower(payload->'data'->>'email') = lower($2)`,
      [user.id, user.email],
    )
  },

  async markPublished(q: Queryable, ids: readonly string[]): Promise<void> {
    await q.query('UPDATE outbox SET published_at = now(), claimed_until = NULL WHERE id = ANY($1)', [ids], {
      name: 'outbox-mark-published',
    })
  },

  /** Frees rows for the next sweep instead of waiting for the lease to run out. */
  async release(q: Queryable, ids: readonly string[]): Promise<void> {
    await q.query('UPDATE outbox SET claimed_until = NULL WHERE id = ANY($1)', [ids])
  },

  /** Deletes up to `limit` rows published before `before` (the retention job); returns how many. */
  async deletePublished(q: Queryable, before: string, limit: number): Promise<number> {
    const { rowCount } = await q.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE published_at IS NOT NULL AND published_at <= $1::timestamptz LIMIT $2)`,
      [before, limit],
    )
    return rowCount
  },

  /** Rows waiting and the age of the oldest. */
  async lag(q: Queryable): Promise<{ pending: number; oldestSeconds: number }> {
    const { rows } = await q.query<{ pending: string; oldest: number | null }>(
      `SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest
         FROM outbox WHERE published_at IS NULL`,
    )
    return { pending: Number(rows[0]?.pending ?? 0), oldestSeconds: Math.round(rows[0]?.oldest ?? 0) }
  },
}
