import { z } from 'zod'

/** The languages of mails and pages: the one list every app and the database check agree on. */
export const LOCALES = ['en', 'ru', 'de', 'fr', 'es'] as const
export const LocaleSchema = z.enum(LOCALES, { error: `Choose ${LOCALES.join(' or ')}` })
export type Locale = z.infer<typeof LocaleSchema>

/** Link tokens the worker mints; access and refresh tokens are the api's own. */
export const LinkPurposeSchema = z.enum([
  'set_password',
  'verify_email',
  'reset_password',
  'change_email',
  'revert_email',
  'login_email',
])
export type LinkPurpose = z.infer<typeof LinkPurposeSchema>

/**
 * The api page a link of each purpose opens (`?token=` follows); the set-password page takes reset links too.
 * A sign-in link opens the product's own page (`APP_LOGIN_URL`), never one of the api's.
 */
export type PageLinkPurpose = Exclude<LinkPurpose, 'login_email'>
export const LINK_PATHS: Record<PageLinkPurpose, string> = {
  set_password: '/set-password',
  verify_email: '/verify-email',
  reset_password: '/set-password',
  change_email: '/change-email',
  revert_email: '/revert-email',
}

const base = {
  /** The outbox row id; also the AMQP messageId, so duplicates can be recognised. */
  id: z.uuid(),
  email: z.email(),
  locale: LocaleSchema,
}

/** A job whose mail carries a link token for `userId` at `credentialVersion`. */
const linkJob = <T extends string>(type: T) =>
  z.object({
    ...base,
    type: z.literal(type),
    userId: z.uuid(),
    credentialVersion: z.number().int().nonnegative(),
  })

export const SetPasswordJobSchema = linkJob('set_password')
export const VerifyEmailJobSchema = linkJob('verify_email')
export const ResetPasswordJobSchema = linkJob('reset_password')

/**
 * Sign-in by e-mail: a 6-digit code (HMAC of a `login_email` token's jti), and
 * a link carrying that token when the worker has APP_LOGIN_URL.
 */
export const LoginCodeJobSchema = linkJob('login_code')

/** An admin created the account: a set-password link that lasts INVITE_TTL and confirms the address. */
export const InvitationJobSchema = linkJob('invitation')

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

/**
 * A signed-in user asked to move the account to `email`: the mail carries a
 * `change_email` link and code whose jti is `changeId`, the pending change's
 * row, so the token need not carry the new address.
 */
export const EmailChangeJobSchema = z.object({
  ...base,
  type: z.literal('email_change'),
  userId: z.uuid(),
  credentialVersion: z.number().int().nonnegative(),
  changeId: z.uuid(),
})

/** Someone asked to move another account to `email`, which already has one: nothing changed. */
export const EmailChangeTakenJobSchema = z.object({ ...base, type: z.literal('email_change_taken') })

/**
 * The account moved from `email` (the old address) to `newEmail`; the mail
 * carries a `revert_email` link whose jti is `revertId`.
 */
export const EmailChangedJobSchema = z.object({
  ...base,
  type: z.literal('email_changed'),
  userId: z.uuid(),
  credentialVersion: z.number().int().nonnegative(),
  revertId: z.uuid(),
  newEmail: z.email(),
})

export const MailJobSchema = z.discriminatedUnion('type', [
  SetPasswordJobSchema,
  VerifyEmailJobSchema,
  ResetPasswordJobSchema,
  AccountExistsJobSchema,
  NoAccountJobSchema,
  PasswordChangedJobSchema,
  UnverifiedReminderJobSchema,
  EmailChangeJobSchema,
  EmailChangeTakenJobSchema,
  EmailChangedJobSchema,
  LoginCodeJobSchema,
  InvitationJobSchema,
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
    case 'email_change':
      return 'change_email'
    case 'email_changed':
      return 'revert_email'
    case 'login_code':
      return 'login_email'
    case 'invitation':
      return 'set_password'
    default:
      return null
  }
}
