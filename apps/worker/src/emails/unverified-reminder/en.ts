import { commonEn } from '../common.ts'
import { formatDate } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { UnverifiedReminderData } from '../types.ts'

export const en = (d: UnverifiedReminderData): RenderedMail =>
  renderParts({
    locale: 'en',
    ...commonEn(d.app),
    subject: d.code
      ? `Please confirm your ${d.app.name} account`
      : `Please finish setting up your ${d.app.name} account`,
    preview: `Your account is waiting: finish by ${formatDate(d.deleteAt, 'en')}.`,
    heading: 'Your account is not confirmed yet',
    paragraphs: [
      `The ${d.app.name} account ${d.email} has not been confirmed yet. To keep it, ${d.code ? 'confirm it' : 'set a password'} before ${formatDate(d.deleteAt, 'en')}: it will be deleted on ${formatDate(d.deleteAt, 'en')} otherwise.`,
    ],
    action: d.code
      ? { label: 'Confirm address', url: d.url, intro: 'To confirm your account, open this link:' }
      : { label: 'Set your password', url: d.url, intro: 'To set your password, open this link:' },
    code: d.code ? { label: 'Or enter this code where you signed up:', value: d.code } : undefined,
    notes: [
      d.code
        ? `The link and the code expire on ${formatDate(d.expiresAt, 'en')}.`
        : `Setting a password also confirms the account. The link expires on ${formatDate(d.expiresAt, 'en')}.`,
      'If you did not sign up, ignore this e-mail and the account will be removed.',
    ],
    reason: `You received this e-mail because ${d.email} was used to sign up to ${d.app.name} and the account is not confirmed yet.`,
  })
