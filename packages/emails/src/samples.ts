import type { MailJob } from '@authmail/contracts'
import type { MailData } from './types.ts'

const app = { name: 'authmail', supportEmail: 'support@example.com' }
const email = 'someone@example.com'
const url = 'https://example.com/verify-email?token=sample'
const recoverUrl = 'https://example.com/recover-password'
const expiresAt = new Date('2030-01-02T03:04:05Z')
const link = { app, email, url, expiresAt, ttlSeconds: 86_400 }
const recover = { app, email, recoverUrl, resetTtlSeconds: 3_600 }

/**
 * Sample data for every kind: templates are checked with it at start, and the
 * admin preview shows it. Each variant a template must handle is listed.
 */
export const SAMPLES: Record<MailJob['type'], MailData[]> = {
  set_password: [{ ...link, accountTtlSeconds: 172_800 }],
  verify_email: [{ ...link, code: '123456', accountTtlSeconds: 172_800 }],
  reset_password: [{ ...link, ttlSeconds: 3_600 }],
  unverified_reminder: [
    { ...link, code: '123456', deleteAt: expiresAt },
    { ...link, code: null, deleteAt: expiresAt },
  ],
  account_exists: [recover],
  no_account: [{ app, email }],
  password_changed: [recover],
  email_change: [{ ...link, url: 'https://example.com/change-email?token=sample', code: '123456' }],
  email_change_taken: [recover],
  email_changed: [
    {
      ...link,
      url: 'https://example.com/revert-email?token=sample',
      ttlSeconds: 604_800,
      newEmail: 'someone.new@example.net',
    },
  ],
  login_code: [
    { app, email, code: '123456', url: 'https://example.com/login?token=sample', expiresAt, ttlSeconds: 600 },
    { app, email, code: '123456', url: null, expiresAt, ttlSeconds: 600 },
  ],
  invitation: [{ ...link, url: 'https://example.com/set-password?token=sample', ttlSeconds: 604_800 }],
  account_deleted: [
    { app, email, appUrl: 'https://example.com/' },
    { app, email, appUrl: null },
  ],
}
