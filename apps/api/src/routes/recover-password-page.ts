import type { FastifyPluginAsync } from 'fastify'
import { pickLocale } from '../lib/locale.ts'
import { pageStrings } from '../lib/page-strings.ts'
import { renderPage } from '../lib/pages.ts'

/**
 * GET /recover-password: a form asking for the address. "You already have an
 * account" and "your password was changed" mails link here.
 */
const recoverPasswordPage: FastifyPluginAsync = async (app) => {
  app.get('/recover-password', { schema: { hide: true } }, async (request, reply) => {
    const locale = pickLocale(undefined, request.headers['accept-language'], app.env.DEFAULT_LOCALE)
    const t = pageStrings(locale)
    return renderPage(reply, 'message.ejs', {
      title: t('recover_title'),
      text: t('recover_text'),
      locale,
      t,
      newLinkForm: true,
    })
  })
}

export default recoverPasswordPage
