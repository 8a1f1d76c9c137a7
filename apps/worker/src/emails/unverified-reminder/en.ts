import { formatDate } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { UnverifiedReminderData } from '../types.ts'

export const en = (d: UnverifiedReminderData): RenderedMail =>
  renderParts({
    locale: 'en',
    subject: 'Confirm your address or your account will be deleted',
    heading: 'Your account is not confirmed yet',
    paragraphs: [
      `The account ${d.email} has not been confirmed. It will be deleted on ${formatDate(d.deleteAt, 'en')} unless you confirm the address.`,
    ],
    action: { label: d.code ? 'Confirm address' : 'Set your password', url: d.url },
    fallbackLabel: 'If the button does not work, open this link:',
    code: d.code ? { label: 'Or enter this code where you signed up:', value: d.code } : undefined,
    notes: [
      d.code
        ? `The link and the code expire on ${formatDate(d.expiresAt, 'en')}.`
        : `Setting a password confirms the address. The link expires on ${formatDate(d.expiresAt, 'en')}.`,
      'If you did not sign up, ignore this e-mail and the account will be removed.',
    ],
  })
