import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { checkChangeLink } from '../email-change/change-links.ts'
import { isAddressTaken } from '../email-change/email-change.ts'
import { renderChangeLinkProblem } from '../email-change/pages.ts'
import { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { BODY_ERRORS, errors, jsonOrPage } from '../openapi/schemas.ts'
import { renderMessage } from '../pages/messages.ts'
import { wantsPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'

const ParamsSchema = z.object({ token: z.string().min(1).max(4096) })

/**
 * POST /change-email/:token moves the account to the address the link was
 * mailed to. The page's button posts a form here and gets a page back; an SPA
 * posts JSON. Only a POST does it: mail scanners follow links with GET and HEAD.
 */
const changeEmail: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, relay, emailChange, env } = app

  app.post(
    '/change-email/:token',
    {
      schema: {
        summary: 'Confirm a change of address with the token of the mailed link',
        tags: ['account'],
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        params: ParamsSchema,
        response: {
          200: jsonOrPage(z.object({ email: z.string() }), 'The account now uses the new address'),
          ...errors(
            ...BODY_ERRORS,
            'AUTH_INVALID_TOKEN',
            'AUTH_TOKEN_EXPIRED',
            'AUTH_TOKEN_USED',
            'AUTH_USER_NOT_FOUND',
            'AUTH_EMAIL_TAKEN',
          ),
        },
      },
    },
    async (request, reply) => {
      const page = wantsPage(request)
      try {
        const moved = await db
          .transaction(async (tx) => {
            const link = await checkChangeLink({ tokens, users, emailChange }, tx, request.params.token, {
              forUpdate: true,
            })
            return emailChange.confirm(tx, link.user, link.change, link.exp, request.id)
          })
          .catch((error: unknown) => {
            throw isAddressTaken(error) ? new AppError('AUTH_EMAIL_TAKEN') : error
          })
        relay.kick()
        if (!page) return reply.send({ email: moved.email })
        const t = pageStrings(moved.locale)
        return renderMessage(reply, moved.locale, {
          title: t('email_changed_title'),
          text: t('email_changed_text', { email: moved.email }),
          final: true,
        })
      } catch (error) {
        if (!page || !(error instanceof AppError)) throw error
        const locale = pickLocale(undefined, request.headers['accept-language'], env.DEFAULT_LOCALE)
        return renderChangeLinkProblem(reply, error, locale)
      }
    },
  )

  // A "token" with a slash is no link of ours: the same 401 as any bad token, not a 404.
  app.post('/change-email/*', { schema: { hide: true } }, async () => {
    throw new AppError('AUTH_INVALID_TOKEN')
  })
}

export default changeEmail
