import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { checkRevertLink } from '../email-change/change-links.ts'
import { renderChangeLinkProblem } from '../email-change/pages.ts'
import { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { errors, html } from '../openapi/schemas.ts'
import { renderPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'

/**
 * GET /revert-email?token=: the page the "your address was changed" notice
 * links to, with one button that POSTs. It only reads: a mail scanner opening
 * the link undoes nothing.
 */
const revertEmailPage: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, emailChange, env } = app

  app.get(
    '/revert-email',
    {
      schema: {
        summary: 'The page the change-of-address notice links to: one button that undoes the change',
        tags: ['pages'],
        querystring: z.object({ token: z.string().max(4096).default('') }),
        response: {
          200: html('The page that undoes the change, or a page explaining why the link does not work'),
          ...errors('VALIDATION_ERROR'),
        },
      },
    },
    async (request, reply) => {
      const { token } = request.query
      try {
        const { user, change } = await checkRevertLink({ tokens, users, emailChange }, db, token)
        const t = pageStrings(user.locale)
        return renderPage(reply, 'revert-email.ejs', {
          title: t('revert_email_title'),
          locale: user.locale,
          t,
          email: change.old_email,
          token,
        })
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        const locale = pickLocale(undefined, request.headers['accept-language'], env.DEFAULT_LOCALE)
        return renderChangeLinkProblem(reply, error, locale)
      }
    },
  )
}

export default revertEmailPage
