import type { FastifyPluginAsync } from 'fastify'
import { pickLocale } from '../locale.ts'
import { errors, html } from '../openapi/schemas.ts'
import { renderMessage } from '../pages/messages.ts'
import { pageStrings } from '../pages/strings.ts'

/**
 * GET /recover-password: a form asking for the address. "You already have an
 * account" and "your password was changed" mails link here.
 */
const recoverPasswordPage: FastifyPluginAsync = async (app) => {
  app.get(
    '/recover-password',
    {
      schema: {
        summary: 'A form asking for the address to send a reset link to',
        tags: ['pages'],
        response: { 200: html('The form'), ...errors() },
      },
    },
    async (request, reply) => {
      const locale = pickLocale(undefined, request.headers['accept-language'], app.env.DEFAULT_LOCALE)
      const t = pageStrings(locale)
      return renderMessage(reply, locale, {
        title: t('recover_title'),
        text: t('recover_text'),
        form: 'new_link',
      })
    },
  )
}

export default recoverPasswordPage
