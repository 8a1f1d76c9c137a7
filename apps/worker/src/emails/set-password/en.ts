import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { SetPasswordData } from '../types.ts'

export const en = (d: SetPasswordData): RenderedMail =>
  renderParts({
    locale: 'en',
    subject: 'Set your password',
    heading: 'Finish creating your account',
    paragraphs: [`An account was created for ${d.email}. To start using it, choose a password.`],
    action: { label: 'Set password', url: d.url },
    fallbackLabel: 'If the button does not work, open this link:',
    notes: [
      `This link expires in ${formatDuration(d.ttlSeconds, 'en')}, on ${formatDate(d.expiresAt, 'en')}.`,
      `Until a password is set the account stays unconfirmed and is deleted after ${formatDuration(d.accountTtlSeconds, 'en')}.`,
      'If you did not create this account, ignore this e-mail.',
    ],
  })
