import type { Locale } from '@authmail/contracts'
import type { FastifyReply } from 'fastify'
import type { AppError } from '../errors.ts'
import type { LinkContext } from './link-context.ts'
import { renderPage } from './render.ts'
import { pageStrings } from './strings.ts'

/** The forms a message page can offer: a new set/reset link, or a new confirmation mail. */
export const FORMS = {
  new_link: { action: '/recover-password', text: 'new_link_text' },
  resend_verification: { action: '/resend-verification', text: 'resend_text' },
} as const

export type FormKind = keyof typeof FORMS

interface MessageOptions {
  title: string
  text: string
  status?: number
  /** A form asking for the address to mail something new to. */
  form?: FormKind
  /** The address the form starts with (the one the link was mailed to). */
  email?: string
  /** The end of a flow: offers the way back to the product when APP_URL is set. */
  final?: boolean
}

/** A page with a title, a sentence, and maybe a form; written in `locale`, so its `lang` is that. */
export function renderMessage(reply: FastifyReply, locale: Locale, options: MessageOptions) {
  const { title, text, status = 200, form, email = '', final = false } = options
  const t = pageStrings(locale)
  const formData = form ? { action: FORMS[form].action, text: t(FORMS[form].text), email } : null
  return renderPage(reply, 'message.ejs', { title, text, locale, t, form: formData, final }, status)
}

/** The page for a set-password or reset link that cannot be used, offering to send a new one. */
export function renderLinkProblem(
  reply: FastifyReply,
  error: AppError,
  locale: Locale,
  link: LinkContext = {},
) {
  const pageLocale = link.locale ?? locale
  const t = pageStrings(pageLocale)
  return renderMessage(reply, pageLocale, {
    title: t('link_invalid_title'),
    text: t(`link_${error.code}`),
    status: error.statusCode,
    form: 'new_link',
    email: link.email,
  })
}

/**
 * What a person sees when a confirmation link cannot be used. An address that
 * is already confirmed is good news, not an error: a second click, or a mail
 * scanner's, lands here.
 */
export function renderVerifyProblem(
  reply: FastifyReply,
  error: AppError,
  locale: Locale,
  link: LinkContext = {},
) {
  const pageLocale = link.locale ?? locale
  const t = pageStrings(pageLocale)
  if (error.code === 'AUTH_EMAIL_ALREADY_VERIFIED') {
    return renderMessage(reply, pageLocale, {
      title: t('already_verified_title'),
      text: t('already_verified_text'),
      final: true,
    })
  }
  return renderMessage(reply, pageLocale, {
    title: t('verify_link_invalid_title'),
    text: t(`link_${error.code}`),
    status: error.statusCode,
    form: error.code === 'AUTH_USER_NOT_FOUND' ? undefined : 'resend_verification',
    email: link.email,
  })
}
