import { commonEn } from '../common.ts'
import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { SetPasswordData } from '../types.ts'

export const en = (d: SetPasswordData): RenderedMail =>
  renderParts({
    locale: 'en',
    ...commonEn(d.app),
    subject: `Set your password for ${d.app.name}`,
    preview: 'Choose a password to start using your new account.',
    heading: 'Finish creating your account',
    paragraphs: [
      `An account at ${d.app.name} was created for ${d.email}. To start using it, choose a password.`,
    ],
    action: { label: 'Set password', url: d.url, intro: 'To choose your password, open this link:' },
    notes: [
      `This link expires in ${formatDuration(d.ttlSeconds, 'en')}, on ${formatDate(d.expiresAt, 'en')}.`,
      `Until a password is set the account stays unconfirmed and is deleted after ${formatDuration(d.accountTtlSeconds, 'en')}.`,
      'If you did not create this account, you can ignore this e-mail.',
    ],
    reason: `You received this e-mail because an account at ${d.app.name} was created for ${d.email}.`,
  })
