import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { checkRevertLink } from '../email-change/change-links.ts'
import { renderChangeLinkProblem } from '../email-change/pages.ts'
import { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { BODY_ERRORS, errors, jsonOrPage } from '../openapi/schemas.ts'
import { renderMessage } from '../pages/messages.ts'
import { wantsPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'

const BodySchema = z.object({
  token: z.string({ error: 'The link token is missing' }).min(1, 'The link token is missing').max(4096),
})

/**
 * POST /revert-email (the page's form, or JSON `{token}`), like POST
 * /set-password: undoes a change of address from the link mailed to the old
 * address. The account gets that address back, every session ends, the
 * password is forgotten and a reset link goes to the restored address.
 */
const revertEmail: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, relay, emailChange, env } = app

  app.post(
    '/revert-email',
    {
      schema: {
        summary: 'Undo a change of address with the link mailed to the old address',
        tags: ['account'],
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: BodySchema,
        response: {
          200: jsonOrPage(z.object({ email: z.string() }), 'The account uses its old address again'),
          ...errors(
            ...BODY_ERRORS,
            'RATE_LIMITED',
            'AUTH_INVALID_TOKEN',
            'AUTH_TOKEN_EXPIRED',
            'AUTH_TOKEN_USED',
            'AUTH_USER_NOT_FOUND',
            'AUTH_EMAIL_TAKEN',
          ),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'revert-email') },
    },
    async (request, reply) => {
      const page = wantsPage(request)
      try {
        const restored = await db.transaction(async (tx) => {
          const link = await checkRevertLink({ tokens, users, emailChange }, tx, request.body.token, {
            forUpdate: true,
          })
          return emailChange.revert(tx, link.change, link, request.id)
        })
        relay.kick()
        if (!page) return reply.send({ email: restored.email })
        const t = pageStrings(restored.locale)
        return renderMessage(reply, restored.locale, {
          title: t('email_reverted_title'),
          text: t('email_reverted_text', { email: restored.email }),
          final: true,
        })
      } catch (error) {
        if (!page || !(error instanceof AppError)) throw error
        const locale = pickLocale(undefined, request.headers['accept-language'], env.DEFAULT_LOCALE)
        return renderChangeLinkProblem(reply, error, locale)
      }
    },
  )
}

export default revertEmail
