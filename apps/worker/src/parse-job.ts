import { type Locale, LocaleSchema, type MailJob, MailJobSchema } from '@authmail/contracts'
import { InvalidMessageError } from './classify.ts'

/**
 * Consumers `safeParse` and dead-letter what fails. One leniency: a locale this
 * worker has no templates for (an api newer than the worker) falls back to the
 * default locale rather than losing the mail.
 */
export function parseJob(content: Buffer, defaultLocale: Locale): MailJob {
  let body: unknown
  try {
    body = JSON.parse(content.toString('utf8'))
  } catch {
    throw new InvalidMessageError('body is not JSON')
  }
  if (body && typeof body === 'object' && 'locale' in body && !LocaleSchema.safeParse(body.locale).success) {
    body = { ...body, locale: defaultLocale }
  }
  const result = MailJobSchema.safeParse(body)
  if (result.success) return result.data
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
  throw new InvalidMessageError(`not a mail job: ${problems.join('; ')}`)
}
