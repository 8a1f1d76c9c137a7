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
  | AccountDeletedData
