import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { linkContext } from '../pages/link-context.ts'
import { renderMessage, renderVerifyProblem } from '../pages/messages.ts'
import { wantsPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'
import { checkVerifyToken, confirmEmail } from '../verification/verify-email-token.ts'

/**
 * The token is the rest of the path. A wildcard, not `:token`: a JWT is longer
 * than the router's default `maxParamLength` (100), which would answer 414,
 * and the app should not depend on its host's server options.
 */
const ParamsSchema = z.object({ '*': z.string().min(1).max(4096) })

/**
 * POST /verify-email/:token confirms the address. The page's button posts a
 * form here and gets a page back; an SPA posts JSON and gets JSON. Only a POST
 * confirms: mail scanners follow links with GET and HEAD.
 */
const verifyEmail: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, env } = app

  app.post(
    '/verify-email/*',
    { schema: { params: ParamsSchema, summary: 'Confirm an address: POST /verify-email/{token}' } },
    async (request, reply) => {
      const page = wantsPage(request)
      try {
        const confirmed = await db.transaction(async (tx) => {
          const { claims, user } = await checkVerifyToken({ tokens, users }, tx, request.params['*'], {
            forUpdate: true,
          })
          await confirmEmail(users, tx, user, claims)
          return user
        })
        if (!page) return reply.send({ message: 'Email verified successfully', email: confirmed.email })
        const t = pageStrings(confirmed.locale)
        return renderMessage(reply, confirmed.locale, {
          title: t('email_verified_title'),
          text: t('email_verified_text', { email: confirmed.email }),
          final: true,
        })
      } catch (error) {
        if (!page || !(error instanceof AppError)) throw error
        const locale = pickLocale(undefined, request.headers['accept-language'], env.DEFAULT_LOCALE)
        const link = await linkContext(users, db, request.params['*'], error)
        return renderVerifyProblem(reply, error, locale, link)
      }
    },
  )
}

export default verifyEmail
