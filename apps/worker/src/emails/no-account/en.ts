import { type RenderedMail, renderParts } from '../layout.ts'
import type { NoAccountData } from '../types.ts'

export const en = (d: NoAccountData): RenderedMail =>
  renderParts({
    locale: 'en',
    subject: 'Password reset requested',
    heading: 'There is no account for this address',
    paragraphs: [
      `Someone asked to reset a password for ${d.email}, but there is no account with this address.`,
      'If it was you, perhaps you signed up with a different address.',
    ],
    notes: ['If it was not you, ignore this e-mail.'],
  })
