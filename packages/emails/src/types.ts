/** The product the mail is sent for (APP_NAME, SUPPORT_EMAIL). */
export interface AppInfo {
  name: string
  supportEmail?: string
}

/** A mail carrying a link token: where it points and when it stops working. */
export interface LinkData {
  app: AppInfo
  email: string
  url: string
  expiresAt: Date
  /** The token's lifetime, said in words next to the absolute time. */
  ttlSeconds: number
}

export interface SetPasswordData extends LinkData {
  /** Until the password is set the account is unconfirmed and removed after this long. */
  accountTtlSeconds: number
}

export interface VerifyEmailData extends LinkData {
  code: string
  accountTtlSeconds: number
}

export type ResetPasswordData = LinkData

export interface AccountExistsData {
  app: AppInfo
  email: string
  recoverUrl: string
  /** Lifetime of the reset link the recovery page sends. */
  resetTtlSeconds: number
}

export interface NoAccountData {
  app: AppInfo
  email: string
}

export type PasswordChangedData = AccountExistsData

export interface UnverifiedReminderData extends LinkData {
  /** Null when the link sets a password (an account registered without one). */
  code: string | null
  deleteAt: Date
}

/** To the new address: a link and a code that confirm the change. */
export interface EmailChangeData extends LinkData {
  code: string
}

/** To an address that already has an account someone tried to move theirs to. */
export type EmailChangeTakenData = AccountExistsData

/** To the old address after the change: a link that undoes it. */
export interface EmailChangedData extends LinkData {
  newEmail: string
}

/** A sign-in code; `url` is the product's sign-in link (APP_LOGIN_URL), null when it has none. */
export interface LoginCodeData {
  app: AppInfo
  email: string
  code: string
  url: string | null
  expiresAt: Date
  ttlSeconds: number
}

/** An admin opened an account for the recipient: the link sets the first password. */
export type InvitationData = LinkData

export interface AccountDeletedData {
  app: AppInfo
  email: string
  /** APP_URL, where the person may sign up again; null when unset (no link). */
  appUrl: string | null
}

/** What any template may be given. */
export type MailData =
  | SetPasswordData
  | VerifyEmailData
  | ResetPasswordData
  | AccountExistsData
  | NoAccountData
  | UnverifiedReminderData
  | EmailChangeData
  | EmailChangedData
  | LoginCodeData
  | InvitationData
  | AccountDeletedData
