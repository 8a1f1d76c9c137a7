import { z } from 'zod'

/**
 * Lifecycle events on the `authmail.events` topic exchange (routing key = `type`)
 * and in the optional HTTP webhooks. Every event is
 * `{id, type, occurred_at, user_id, data}`; `data` depends on `type`.
 * docs/events.md has an example of each.
 */
const event = <T extends string, D extends z.ZodObject>(
  type: T,
  data: D,
  userId: 'user' | 'maybe' = 'user',
) =>
  z.object({
    /** Unique per event; receivers deduplicate on it (delivery is at least once). */
    id: z.uuid(),
    type: z.literal(type),
    occurred_at: z.iso.datetime(),
    user_id: userId === 'user' ? z.uuid() : z.uuid().nullable(),
    data,
  })

const email = z.email()

/** A mail the worker handled; `kind` is the mail job's type (`verify_email`, `password_changed`…). */
const mailData = { job_id: z.uuid(), kind: z.string(), email }

export const UserRegisteredEventSchema = event('user.registered', z.object({ email, locale: z.string() }))

export const UserEmailVerifiedEventSchema = event(
  'user.email_verified',
  // link: the verification link; code: the 6-digit code; set_password: the set-password link confirms too.
  z.object({ email, method: z.enum(['link', 'code', 'set_password']) }),
)

export const UserPasswordChangedEventSchema = event(
  'user.password_changed',
  // set_password / reset_password: by a mailed link; change: by the signed-in user (POST /me/password).
  z.object({ method: z.enum(['set_password', 'reset_password', 'change']) }),
)

export const UserEmailChangedEventSchema = event(
  'user.email_changed',
  z.object({ old_email: email, new_email: email }),
)

export const UserDeletedEventSchema = event(
  'user.deleted',
  // self: the user left; admin: an administrator removed the account; unverified: never confirmed in time.
  z.object({ email, reason: z.enum(['self', 'admin', 'unverified']) }),
)

/** A new session from a credential (not a refresh, which continues one). */
export const UserSignedInEventSchema = event(
  'user.signed_in',
  z.object({ method: z.enum(['password', 'email_code', 'email_link']) }),
)

export const MailSentEventSchema = event('mail.sent', z.object(mailData), 'maybe')

export const MailFailedEventSchema = event(
  'mail.failed',
  z.object({ ...mailData, error: z.string() }),
  'maybe',
)

/** A mail not sent because the address is on the suppression list (a bounce or a complaint). */
export const MailSuppressedEventSchema = event(
  'mail.suppressed',
  z.object({ email, kind: z.string(), reason: z.string() }),
  'maybe',
)

export const AuthmailEventSchema = z.discriminatedUnion('type', [
  UserRegisteredEventSchema,
  UserEmailVerifiedEventSchema,
  UserPasswordChangedEventSchema,
  UserEmailChangedEventSchema,
  UserDeletedEventSchema,
  UserSignedInEventSchema,
  MailSentEventSchema,
  MailFailedEventSchema,
  MailSuppressedEventSchema,
])

export type AuthmailEvent = z.infer<typeof AuthmailEventSchema>
export type EventType = AuthmailEvent['type']

export const EVENT_TYPES = AuthmailEventSchema.options.map((schema) => schema.shape.type.value) as EventType[]

/** What a caller states; id and time are filled in when the event is recorded. */
export type EventInput = {
  [T in EventType]: {
    type: T
    userId: Extract<AuthmailEvent, { type: T }>['user_id']
    data: Extract<AuthmailEvent, { type: T }>['data']
  }
}[EventType]
