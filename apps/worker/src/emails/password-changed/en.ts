import { commonEn } from '../common.ts'
import { formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { PasswordChangedData } from '../types.ts'

export const en = (d: PasswordChangedData): RenderedMail =>
  renderParts({
    locale: 'en',
    ...commonEn(d.app),
    subject: `Your ${d.app.name} password was changed`,
    preview: 'If this was you, there is nothing to do.',
    heading: 'Your password was changed',
    paragraphs: [
      `The password of the ${d.app.name} account ${d.email} was just set or changed. Links sent earlier and sessions on other devices no longer work.`,
      'If this was you, there is nothing to do. If not, reset your password now.',
    ],
    action: { label: 'Reset password', url: d.recoverUrl, intro: 'To reset your password, open this page:' },
    notes: [
      `The page sends you a new reset link, which works for ${formatDuration(d.resetTtlSeconds, 'en')}.`,
    ],
    reason: `You received this e-mail because the password of ${d.email} at ${d.app.name} was changed.`,
  })
