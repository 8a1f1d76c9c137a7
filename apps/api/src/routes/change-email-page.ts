import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { checkChangeLink } from '../email-change/change-links.ts'
import { renderChangeLinkProblem } from '../email-change/pages.ts'
import { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { errors, html } from '../openapi/schemas.ts'
import { renderPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'

/**
 * GET /change-email?token=: the page the confirmation mail links to, with one
 * button that POSTs. It only reads, so a mail scanner opening the link moves nothing.
 */
const changeEmailPage: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, emailChange, env } = app

  app.get(
    '/change-email',
    {
      schema: {
        summary: 'The page a change-of-address mail links to: one button that confirms',
        tags: ['pages'],
        querystring: z.object({ token: z.string().max(4096).default('') }),
        response: {
          200: html('The confirmation page, or a page explaining why the link does not work'),
          ...errors('VALIDATION_ERROR'),
        },
      },
    },
    async (request, reply) => {
      const { token } = request.query
      try {
        const { user, change } = await checkChangeLink({ tokens, users, emailChange }, db, token)
        const t = pageStrings(user.locale)
        return renderPage(reply, 'change-email.ejs', {
          title: t('change_email_title'),
          locale: user.locale,
          t,
          email: change.new_email,
          // The token travels in the path, which the logger redacts; the page sends no Referer.
          action: `/change-email/${encodeURIComponent(token)}`,
        })
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        const locale = pickLocale(undefined, request.headers['accept-language'], env.DEFAULT_LOCALE)
        return renderChangeLinkProblem(reply, error, locale)
      }
    },
  )

  // The page's own post address, reloaded or bookmarked: back to the (read-only) page.
  app.get(
    '/change-email/:token',
    {
      schema: {
        summary: 'Back to the change-of-address page (the page reloaded after it posted)',
        tags: ['pages'],
        params: z.object({ token: z.string().min(1).max(4096) }),
        response: { 303: z.null().describe('To GET /change-email?token=…'), ...errors('VALIDATION_ERROR') },
      },
    },
    async (request, reply) =>
      reply.redirect(`/change-email?token=${encodeURIComponent(request.params.token)}`, 303),
  )
}

export default changeEmailPage
