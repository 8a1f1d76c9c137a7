import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { ResetPasswordData } from '../types.ts'

export const en = (d: ResetPasswordData): RenderedMail =>
  renderParts({
    locale: 'en',
    subject: 'Reset your password',
    heading: 'Reset your password',
    paragraphs: [
      `Someone asked to reset the password of the account ${d.email}. If it was you, choose a new one.`,
    ],
    action: { label: 'Choose a new password', url: d.url },
    fallbackLabel: 'If the button does not work, open this link:',
    notes: [
      `This link expires in ${formatDuration(d.ttlSeconds, 'en')}, on ${formatDate(d.expiresAt, 'en')}.`,
      'If you did not ask for this, ignore this e-mail: your password stays as it is.',
    ],
  })
