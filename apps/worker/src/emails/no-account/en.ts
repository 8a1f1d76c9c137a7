import { commonEn } from '../common.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { NoAccountData } from '../types.ts'

export const en = (d: NoAccountData): RenderedMail =>
  renderParts({
    locale: 'en',
    ...commonEn(d.app),
    subject: `Password reset requested at ${d.app.name}`,
    preview: 'There is no account with this address.',
    heading: 'There is no account for this address',
    paragraphs: [
      `Someone asked to reset a ${d.app.name} password for ${d.email}, but there is no account with this address.`,
      'If it was you, perhaps you signed up with a different address.',
    ],
    notes: ['If it was not you, ignore this e-mail.'],
    reason: `You received this e-mail because a password reset was requested for ${d.email} at ${d.app.name}.`,
  })
