import { LocaleSchema } from '@authmail/contracts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { durationInWords } from './durations.ts'
import { FORMS, type FormKind, renderMessage } from './messages.ts'
import { pageStrings } from './strings.ts'

/** The form a failed post came from, so the page offers it again. */
const FORM_OF_PATH: Record<string, FormKind> = Object.fromEntries(
  Object.entries(FORMS).map(([kind, form]) => [form.action, kind as FormKind]),
)

/**
 * A form post that failed (validation, a limit) gets a page, not JSON: the
 * message in the visitor's language, the right status, and the form again
 * with what they typed.
 */
export function renderErrorPage(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const body = (request.body ?? {}) as Record<string, unknown>
  const asked = LocaleSchema.safeParse(body.locale)
  const locale = pickLocale(
    asked.success ? asked.data : undefined,
    request.headers['accept-language'],
    request.server.env.DEFAULT_LOCALE,
  )
  const t = pageStrings(locale)
  const path = request.url.split('?')[0] ?? ''
  const wait = Number(error.details.retry_after_seconds ?? error.details.wait_seconds)
  const text =
    error.code === 'VALIDATION_ERROR' && error.field === 'email'
      ? t('error_email')
      : error.statusCode === 429 && wait > 0
        ? t('error_wait', { duration: durationInWords(wait, locale) })
        : t(`error_${error.code}`, {}, error.message)
  return renderMessage(reply, locale, {
    title: t(error.statusCode === 429 ? 'resend_wait_title' : 'error_title'),
    text,
    status: error.statusCode,
    form: FORM_OF_PATH[path.replace(/^\/api\/v1\/auth/, '')],
    email: typeof body.email === 'string' ? body.email : '',
  })
}
