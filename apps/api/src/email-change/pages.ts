import type { Locale } from '@authmail/contracts'
import type { FastifyReply } from 'fastify'
import type { AppError } from '../errors.ts'
import { renderMessage } from '../pages/messages.ts'
import { pageStrings } from '../pages/strings.ts'

/** What a person sees when a change-of-address or revert link cannot be used. Nothing to resend from here. */
export function renderChangeLinkProblem(reply: FastifyReply, error: AppError, locale: Locale) {
  const t = pageStrings(locale)
  return renderMessage(reply, locale, {
    title: t('link_invalid_title'),
    text: t(`link_${error.code}`, {}, error.message),
    status: error.statusCode,
  })
}
