import { formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { AccountExistsData } from '../types.ts'

export const en = (d: AccountExistsData): RenderedMail =>
  renderParts({
    locale: 'en',
    subject: 'You already have an account',
    heading: 'You already have an account',
    paragraphs: [
      `Someone tried to sign up with ${d.email}, but an account with this address already exists.`,
      'If it was you and you do not remember your password, you can reset it.',
    ],
    action: { label: 'Reset password', url: d.recoverUrl },
    fallbackLabel: 'If the button does not work, open this link:',
    notes: [
      `This link does not expire; the reset link you request there works for ${formatDuration(d.resetTtlSeconds, 'en')}.`,
      'If it was not you, ignore this e-mail: nothing has changed.',
    ],
  })
