import { commonEn } from '../common.ts'
import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { ResetPasswordData } from '../types.ts'

export const en = (d: ResetPasswordData): RenderedMail =>
  renderParts({
    locale: 'en',
    ...commonEn(d.app),
    subject: `Reset your ${d.app.name} password`,
    preview: 'Choose a new password with the link inside.',
    heading: 'Reset your password',
    paragraphs: [
      `Someone asked to reset the password of the ${d.app.name} account ${d.email}. If it was you, choose a new one.`,
    ],
    action: {
      label: 'Choose a new password',
      url: d.url,
      intro: 'To choose a new password, open this link:',
    },
    notes: [
      `This link expires in ${formatDuration(d.ttlSeconds, 'en')}, on ${formatDate(d.expiresAt, 'en')}.`,
      'If you did not ask for this, ignore this e-mail: your password stays as it is.',
    ],
    reason: `You received this e-mail because a password reset was requested for ${d.email} at ${d.app.name}.`,
  })
