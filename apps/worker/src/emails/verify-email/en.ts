import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { VerifyEmailData } from '../types.ts'

export const en = (d: VerifyEmailData): RenderedMail =>
  renderParts({
    locale: 'en',
    subject: 'Confirm your e-mail address',
    heading: 'Confirm your e-mail address',
    paragraphs: [`Please confirm that ${d.email} is your address.`],
    action: { label: 'Confirm address', url: d.url },
    fallbackLabel: 'If the button does not work, open this link:',
    code: { label: 'Or enter this code where you signed up:', value: d.code },
    notes: [
      `The link and the code expire in ${formatDuration(d.ttlSeconds, 'en')}, on ${formatDate(d.expiresAt, 'en')}.`,
      `Unconfirmed accounts are deleted after ${formatDuration(d.accountTtlSeconds, 'en')}.`,
      'If you did not sign up, ignore this e-mail.',
    ],
  })
