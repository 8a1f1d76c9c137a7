import { formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { PasswordChangedData } from '../types.ts'

export const en = (d: PasswordChangedData): RenderedMail =>
  renderParts({
    locale: 'en',
    subject: 'Your password was changed',
    heading: 'Your password was changed',
    paragraphs: [
      `The password of the account ${d.email} was just set or changed. Links sent earlier and sessions on other devices no longer work.`,
      'If you did not do this, reset your password now.',
    ],
    action: { label: 'Reset password', url: d.recoverUrl },
    fallbackLabel: 'If the button does not work, open this link:',
    notes: [
      `This link does not expire; the reset link you request there works for ${formatDuration(d.resetTtlSeconds, 'en')}.`,
    ],
  })
