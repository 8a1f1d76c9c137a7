import type { Locale } from '@authmail/contracts'
import type { FastifyReply } from 'fastify'
import type { AppError } from '../errors.ts'
import type { pageStrings } from './page-strings.ts'
import { renderPage } from './pages.ts'

type T = ReturnType<typeof pageStrings>

interface MessageOptions {
  title: string
  text: string
  status?: number
  /** Offer to mail a new confirmation link. */
  resendForm?: boolean
}

/** A page of the verification flow: a title, a sentence, and maybe the resend form. */
export function renderVerifyMessage(reply: FastifyReply, t: T, locale: Locale, options: MessageOptions) {
  const { title, text, status = 200, resendForm = false } = options
  return renderPage(reply, 'verify-email-message.ejs', { title, text, locale, t, resendForm }, status)
}

/**
 * What a person sees when a confirmation link cannot be used. An address that
 * is already confirmed is good news, not an error: a second click, or a mail
 * scanner's, lands here.
 */
export function renderVerifyProblem(reply: FastifyReply, error: AppError, t: T, locale: Locale) {
  if (error.code === 'AUTH_EMAIL_ALREADY_VERIFIED') {
    return renderVerifyMessage(reply, t, locale, {
      title: t('already_verified_title'),
      text: t('already_verified_text'),
    })
  }
  return renderVerifyMessage(reply, t, locale, {
    title: t('verify_link_invalid_title'),
    text: t(`link_${error.code}`),
    status: error.statusCode,
    resendForm: error.code !== 'AUTH_USER_NOT_FOUND',
  })
}
