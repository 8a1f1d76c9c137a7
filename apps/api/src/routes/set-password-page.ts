import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { checkLinkToken } from '../link-tokens/link-tokens.ts'
import { pickLocale } from '../locale.ts'
import { errors, html } from '../openapi/schemas.ts'
import { linkContext } from '../pages/link-context.ts'
import { renderLinkProblem } from '../pages/messages.ts'
import { renderPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'
import { SET_PASSWORD_PURPOSES } from './set-password.ts'

/**
 * GET /set-password?token=: the form. It only reads: mail scanners open links
 * before people do, so showing the page must never use the token up.
 */
const setPasswordPage: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, env } = app

  app.get(
    '/set-password',
    {
      schema: {
        summary: 'The form a set-password or reset mail links to',
        tags: ['pages'],
        querystring: z.object({ token: z.string().max(4096).default('') }),
        response: {
          200: html('The form, or a page explaining why the link does not work'),
          ...errors('VALIDATION_ERROR'),
        },
      },
    },
    async (request, reply) => {
      const { token } = request.query
      const fallback = pickLocale(undefined, request.headers['accept-language'], env.DEFAULT_LOCALE)
      try {
        const { user } = await checkLinkToken({ tokens, users }, db, token, SET_PASSWORD_PURPOSES)
        const t = pageStrings(user.locale)
        return renderPage(reply, 'set-password.ejs', {
          title: t('set_password_title'),
          locale: user.locale,
          t,
          email: user.email,
          token,
          error: null,
        })
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        return renderLinkProblem(
          reply,
          error,
          fallback,
          await linkContext({ tokens, users }, db, token, error),
        )
      }
    },
  )
}

export default setPasswordPage
