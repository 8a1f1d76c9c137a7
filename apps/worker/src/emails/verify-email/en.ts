import { commonEn } from '../common.ts'
import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { VerifyEmailData } from '../types.ts'

export const en = (d: VerifyEmailData): RenderedMail =>
  renderParts({
    locale: 'en',
    ...commonEn(d.app),
    subject: `Confirm your e-mail address for ${d.app.name}`,
    preview: `Your code is ${d.code}. Confirm your address to finish signing up.`,
    heading: 'Confirm your e-mail address',
    paragraphs: [`Thanks for signing up to ${d.app.name}. Please confirm that ${d.email} is your address.`],
    action: { label: 'Confirm address', url: d.url, intro: 'To confirm your address, open this link:' },
    code: { label: 'Or enter this code where you signed up:', value: d.code },
    notes: [
      `The link and the code expire in ${formatDuration(d.ttlSeconds, 'en')}, on ${formatDate(d.expiresAt, 'en')}.`,
      `Accounts that stay unconfirmed are deleted after ${formatDuration(d.accountTtlSeconds, 'en')}.`,
      'If you did not sign up, you can ignore this e-mail.',
    ],
    reason: `You received this e-mail because ${d.email} was used to sign up to ${d.app.name}.`,
  })
