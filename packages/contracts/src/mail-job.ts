import { z } from 'zod'

/** The languages of mails and pages: the one list every app and the database check agree on. */
export const LOCALES = ['en', 'ru', 'de', 'fr', 'es'] as const
export const LocaleSchema = z.enum(LOCALES, { error: `Choose ${LOCALES.join(' or ')}` })
export type Locale = z.infer<typeof LocaleSchema>

/** Link tokens the worker mints; access and refresh tokens are the api's own. */
export const LinkPurposeSchema = z.enum(['set_password', 'verify_email', 'reset_password'])
export type LinkPurpose = z.infer<typeof LinkPurposeSchema>

const base = {
  /** The outbox row id; also the AMQP messageId, so duplicates can be recognised. */
  id: z.uuid(),
  email: z.email(),
  locale: LocaleSchema,
}

/** A job whose mail carries a link token for `userId` at `credentialVersion`. */
const linkJob = <T extends LinkPurpose>(type: T) =>
  z.object({
    ...base,
    type: z.literal(type),
    userId: z.uuid(),
    credentialVersion: z.number().int().nonnegative(),
  })

export const SetPasswordJobSchema = linkJob('set_password')
export const VerifyEmailJobSchema = linkJob('verify_email')
export const ResetPasswordJobSchema = linkJob('reset_password')

/** Someone registered an address that already has an account. */
export const AccountExistsJobSchema = z.object({ ...base, type: z.literal('account_exists') })

/** Someone asked to recover a password for an address without an account. */
export const NoAccountJobSchema = z.object({ ...base, type: z.literal('no_account') })

/** The password of an account was set or changed. */
export const PasswordChangedJobSchema = z.object({
  ...base,
  type: z.literal('password_changed'),
  userId: z.uuid(),
})

/**
 * The owner deleted the account. The job names no user: the account is gone
 * when the mail is composed, and the row must not tie the address to it.
 */
export const AccountDeletedJobSchema = z.object({ ...base, type: z.literal('account_deleted') })

/**
 * An unverified account will be deleted soon; the mail carries a fresh link:
 * to confirm the address, or to set a password for an account registered
 * without one (setting it confirms the address too).
 */
export const UnverifiedReminderJobSchema = z.object({
  ...base,
  type: z.literal('unverified_reminder'),
  userId: z.uuid(),
  credentialVersion: z.number().int().nonnegative(),
  deleteAt: z.iso.datetime(),
  linkPurpose: z.enum(['verify_email', 'set_password']).default('verify_email'),
})

export const MailJobSchema = z.discriminatedUnion('type', [
  SetPasswordJobSchema,
  VerifyEmailJobSchema,
  ResetPasswordJobSchema,
  AccountExistsJobSchema,
  NoAccountJobSchema,
  PasswordChangedJobSchema,
  UnverifiedReminderJobSchema,
  AccountDeletedJobSchema,
])
export type MailJob = z.infer<typeof MailJobSchema>

/** Jobs whose mail carries a link token, and the purpose of that token. */
export function linkPurposeOf(job: MailJob): LinkPurpose | null {
  switch (job.type) {
    case 'set_password':
    case 'verify_email':
    case 'reset_password':
      return job.type
    case 'unverified_reminder':
      return job.linkPurpose
    default:
      return null
  }
}
