import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { errors, html } from '../openapi/schemas.ts'
import { linkContext } from '../pages/link-context.ts'
import { renderVerifyProblem } from '../pages/messages.ts'
import { renderPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'
import { checkVerifyToken } from '../verification/verify-email-token.ts'

/**
 * GET /verify-email?token=: the page the mail links to, with one button that
 * POSTs. It only reads — mail scanners open links before people do — so GET
 * and HEAD never confirm anything or use the token up.
 */
const verifyEmailPage: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, env } = app

  app.get(
    '/verify-email',
    {
      schema: {
        summary: 'The page a confirmation mail links to: one button that confirms',
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
      const fallback = pickLocale(undefined, request.headers['accept-language'], env.DEFAULT_LOCALE)
      try {
        const { user } = await checkVerifyToken({ tokens, users }, db, token)
        const t = pageStrings(user.locale)
        return renderPage(reply, 'verify-email.ejs', {
          title: t('verify_email_title'),
          locale: user.locale,
          t,
          email: user.email,
          // The token travels in the path, which the logger redacts; the page sends no Referer.
          action: `/verify-email/${encodeURIComponent(token)}`,
        })
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        return renderVerifyProblem(
          reply,
          error,
          fallback,
          await linkContext({ tokens, users }, db, token, error),
        )
      }
    },
  )

  // The confirmation page's own address, reloaded or bookmarked: back to the (read-only) page, not a 404.
  app.get(
    '/verify-email/:token',
    {
      schema: {
        summary: 'Back to the confirmation page (the page reloaded after it posted)',
        tags: ['pages'],
        params: z.object({ token: z.string().min(1).max(4096) }),
        response: {
          303: z.null().describe('To GET /verify-email?token=…'),
          ...errors('VALIDATION_ERROR'),
        },
      },
    },
    async (request, reply) => {
      const { token } = request.params
      return reply.redirect(`/verify-email?token=${encodeURIComponent(token)}`, 303)
    },
  )
}

export default verifyEmailPage
