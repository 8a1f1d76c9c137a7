import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { BODY_ERRORS, errors, jsonOrPage, MessageEmailSchema } from '../openapi/schemas.ts'
import { linkContext } from '../pages/link-context.ts'
import { renderMessage, renderVerifyProblem } from '../pages/messages.ts'
import { wantsPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'
import { checkVerifyToken, confirmEmail } from '../verification/verify-email-token.ts'

/** The link token; http/server-options.ts' `serverOptions` let the router take a parameter as long as a JWT. */
const ParamsSchema = z.object({ token: z.string().min(1).max(4096) })

/**
 * POST /verify-email/:token confirms the address. The page's button posts a
 * form here and gets a page back; an SPA posts JSON and gets JSON. Only a POST
 * confirms: mail scanners follow links with GET and HEAD.
 */
const verifyEmail: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, relay, env } = app

  app.post(
    '/verify-email/:token',
    {
      schema: {
        summary: 'Confirm an address with the token of the mailed link',
        tags: ['registration'],
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        params: ParamsSchema,
        response: {
          200: jsonOrPage(MessageEmailSchema, 'Address confirmed'),
          ...errors(
            ...BODY_ERRORS,
            'AUTH_INVALID_TOKEN',
            'AUTH_TOKEN_EXPIRED',
            'AUTH_TOKEN_USED',
            'AUTH_USER_NOT_FOUND',
            'AUTH_EMAIL_ALREADY_VERIFIED',
          ),
        },
      },
    },
    async (request, reply) => {
      const page = wantsPage(request)
      try {
        const confirmed = await db.transaction(async (tx) => {
          const { claims, user } = await checkVerifyToken({ tokens, users }, tx, request.params.token, {
            forUpdate: true,
          })
          await confirmEmail(users, tx, user, claims, { method: 'link', requestId: request.id })
          return user
        })
        relay.kick()
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
        const link = await linkContext({ tokens, users }, db, request.params.token, error)
        return renderVerifyProblem(reply, error, locale, link)
      }
    },
  )

  // A "token" with a slash (or longer than any JWT) is no link of ours: the same 401 as any bad token, not a 404.
  app.post('/verify-email/*', { schema: { hide: true } }, async () => {
    throw new AppError('AUTH_INVALID_TOKEN')
  })
}

export default verifyEmail
