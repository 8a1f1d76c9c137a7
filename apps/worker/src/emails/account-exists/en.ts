import { commonEn } from '../common.ts'
import { formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { AccountExistsData } from '../types.ts'

export const en = (d: AccountExistsData): RenderedMail =>
  renderParts({
    locale: 'en',
    ...commonEn(d.app),
    subject: `You already have a ${d.app.name} account`,
    preview: 'Someone tried to sign up with your address. Nothing has changed.',
    heading: 'You already have an account',
    paragraphs: [
      `Someone tried to sign up to ${d.app.name} with ${d.email}, but an account with this address already exists.`,
      'If it was you and you do not remember your password, you can reset it.',
    ],
    action: { label: 'Reset password', url: d.recoverUrl, intro: 'To reset your password, open this page:' },
    notes: [
      `The page sends you a new reset link, which works for ${formatDuration(d.resetTtlSeconds, 'en')}.`,
      'If it was not you, ignore this e-mail: nothing has changed.',
    ],
    reason: `You received this e-mail because someone tried to sign up to ${d.app.name} with ${d.email}.`,
  })
