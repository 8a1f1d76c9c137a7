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
    const event = build(input, options)
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

  /**
   * `mail.sent` or `mail.failed` for each receipt of a burst, in one statement; each once however
   * often its receipt is delivered (the id comes from the job and status, {@link mailEventId}).
   */
  async recordMailOutcomes(
    q: Queryable,
    outcomes: readonly { receipt: MailReceipt; requestId: string | null }[],
  ): Promise<void> {
    const built = outcomes.map(({ receipt, requestId }) => ({
      event: build(mailOutcomeInput(receipt), { id: mailEventId(receipt), occurredAt: receipt.at }),
      requestId,
    }))
    await outboxRows.insertEvents(q, built)
    for (const { event } of built) eventsRecorded.inc({ type: event.type })
  },
}

function mailOutcomeInput(receipt: MailReceipt): EventInput {
  const data = { job_id: receipt.jobId, kind: receipt.type, email: receipt.email }
  return receipt.status === 'sent'
    ? { type: 'mail.sent', userId: receipt.userId, data }
    : { type: 'mail.failed', userId: receipt.userId, data: { ...data, error: receipt.error ?? '' } }
}

/** An event as consumers receive it; parsed here rather than by consumers only, so a malformed one is a bug seen at once. */
function build(input: EventInput, options: RecordOptions): AuthmailEvent {
  return AuthmailEventSchema.parse({
    id: options.id ?? randomUUID(),
    type: input.type,
    occurred_at: new Date(options.occurredAt ?? Date.now()).toISOString(),
    user_id: input.userId,
    data: input.data,
  })
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
