import { createHash, randomUUID } from 'node:crypto'
import {
  type AuthmailEvent,
  AuthmailEventSchema,
  type EventInput,
  type MailReceipt,
} from '@authmail/contracts'
import type { Queryable } from '../db/driver.ts'
import { type Sql, sql } from '../db/sql.ts'
import { eventsRecorded } from '../metrics.ts'
import { outboxRows } from '../outbox/outbox-repository.ts'

interface RecordOptions {
  /** The HTTP request behind the change, carried into the message's headers like a mail job's. */
  requestId?: string | null
  /** A fixed id makes recording idempotent (see {@link mailEventId}); a fresh one otherwise. */
  id?: string
  /** When it happened, if not now (a receipt says when the mail was sent). */
  occurredAt?: Date | string
}

/**
 * Lifecycle events (docs/events.md). `record` writes one to the outbox in the
 * caller's transaction, so it is published if and only if the change it reports
 * commits; the relay publishes it to `authmail.events` with the routing key = its type.
 * The caller kicks the relay after the commit, as for a mail job.
 */
export const events = {
  async record(q: Queryable, input: EventInput, options: RecordOptions = {}): Promise<AuthmailEvent> {
    // Parsed here rather than by consumers only: a malformed event is a bug to see at once.
    const event = AuthmailEventSchema.parse({
      id: options.id ?? randomUUID(),
      type: input.type,
      occurred_at: new Date(options.occurredAt ?? Date.now()).toISOString(),
      user_id: input.userId,
      data: input.data,
    })
    await outboxRows.insertEvent(q, event, options.requestId ?? null)
    eventsRecorded.inc({ type: event.type })
    return event
  },

  /**
   * `user.registered` for the account a registration statement creates, as the body of a
   * CTE of that statement: `created` names its step that returns (id, email, locale) of the
   * new account, and no row (an address already taken) records nothing. The payload has the
   * shape of UserRegisteredEventSchema.
   */
  registeredStep(created: Sql, requestId: string | null): Sql {
    const id = randomUUID()
    const occurredAt = new Date().toISOString()
    return outboxRows.insertEventStep(sql`
      SELECT ${id}::uuid,
             jsonb_build_object('id', ${id}::text, 'type', 'user.registered', 'occurred_at', ${occurredAt}::text,
                                'user_id', id, 'data', jsonb_build_object('email', email, 'locale', locale)),
             ${requestId}::text
        FROM ${created}`)
  },

  /** `mail.sent` or `mail.failed` for a receipt, once however often the receipt is delivered. */
  recordMailOutcome(q: Queryable, receipt: MailReceipt, requestId: string | null): Promise<AuthmailEvent> {
    const data = { job_id: receipt.jobId, kind: receipt.type, email: receipt.email }
    const input: EventInput =
      receipt.status === 'sent'
        ? { type: 'mail.sent', userId: receipt.userId, data }
        : { type: 'mail.failed', userId: receipt.userId, data: { ...data, error: receipt.error ?? '' } }
    return events.record(q, input, { requestId, id: mailEventId(receipt), occurredAt: receipt.at })
  },
}

/**
 * A UUID (version 8, RFC 9562) derived from the job and its outcome: a receipt
 * the broker redelivers writes the same event id, which the outbox ignores.
 */
export function mailEventId(receipt: Pick<MailReceipt, 'jobId' | 'status'>): string {
  const bytes = createHash('sha256').update(`${receipt.jobId}:${receipt.status}`).digest().subarray(0, 16)
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
