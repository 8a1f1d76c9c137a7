import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { checkLinkToken, consumeLinkToken } from '../link-tokens/link-tokens.ts'
import { pickLocale } from '../locale.ts'
import { BODY_ERRORS, errors, jsonOrPage, MessageEmailSchema } from '../openapi/schemas.ts'
import { linkContext } from '../pages/link-context.ts'
import { renderLinkProblem, renderMessage } from '../pages/messages.ts'
import { renderPage, wantsPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'
import { changePassword } from '../passwords/change-password.ts'
import { PasswordSchema } from '../passwords/password-schema.ts'
import { hashPassword } from '../passwords/passwords.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'

/** The set-password page takes both kinds of link: first password and reset. */
export const SET_PASSWORD_PURPOSES = ['set_password', 'reset_password'] as const

const BodySchema = z.object({
  token: z.string({ error: 'The link token is missing' }).min(1, 'The link token is missing').max(4096),
  password: PasswordSchema,
  password_confirm: z.string().optional(),
})

/**
 * POST /set-password, from the page's form (answers with a page) or as JSON.
 * Sets the password, confirms the address, bumps the credential version
 * (older links and all sessions die), marks the link used and queues a
 * "password changed" notice, all in one transaction.
 */
const setPassword: FastifyPluginAsyncZod = async (app) => {
  const { db, users, outbox, relay, tokens, loginThrottle, env } = app

  app.post(
    '/set-password',
    {
      schema: {
        summary: 'Set a password from a set-password or reset link',
        tags: ['registration'],
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: BodySchema,
        response: {
          200: jsonOrPage(MessageEmailSchema, 'Password set; the address is confirmed'),
          ...errors(
            ...BODY_ERRORS,
            'RATE_LIMITED',
            'AUTH_INVALID_TOKEN',
            'AUTH_TOKEN_EXPIRED',
            'AUTH_TOKEN_USED',
            'AUTH_USER_NOT_FOUND',
          ),
        },
      },
      attachValidation: true,
      config: { rateLimit: ipRateLimit(env, 'set-password') },
    },
    async (request, reply) => {
      const page = wantsPage(request)
      const body = request.body as Partial<z.infer<typeof BodySchema>>
      const token = typeof body?.token === 'string' ? body.token : ''
      // Until the link names its account, pages are in the language the browser asks for.
      const locale = pickLocale(undefined, request.headers['accept-language'], env.DEFAULT_LOCALE)
      const t = pageStrings(locale)

      const problem = request.validationError
        ? request.validationError
        : body.password_confirm !== undefined && body.password_confirm !== body.password
          ? new AppError('VALIDATION_ERROR', { field: 'password_confirm', message: t('passwords_differ') })
          : null
      try {
        // A cheap check first, so a bad link costs no password hashing.
        const { user } = await checkLinkToken({ tokens, users }, db, token, SET_PASSWORD_PURPOSES)
        if (problem) {
          if (!page) throw problem
          const ts = pageStrings(user.locale)
          const error = problem instanceof AppError ? problem.message : firstMessage(problem)
          return renderPage(
            reply,
            'set-password.ejs',
            { title: ts('set_password_title'), locale: user.locale, t: ts, email: user.email, token, error },
            422,
          )
        }
        const passwordHash = await hashPassword(body.password as string)
        const updated = await db.transaction(async (tx) => {
          const { claims, user } = await checkLinkToken({ tokens, users }, tx, token, SET_PASSWORD_PURPOSES, {
            forUpdate: true,
          })
          await consumeLinkToken(tx, claims)
          const method = claims.purpose === 'reset_password' ? 'reset_password' : 'set_password'
          return changePassword({ users, outbox, loginThrottle }, tx, user, passwordHash, request.id, method)
        })
        relay.kick()
        if (!page) return reply.send({ message: 'Password set', email: updated.email })
        const ts = pageStrings(updated.locale)
        return renderMessage(reply, updated.locale, {
          title: ts('password_set_title'),
          text: ts('password_set_text', { email: updated.email }),
          final: true,
        })
      } catch (error) {
        if (!page || !(error instanceof AppError) || error.code === 'VALIDATION_ERROR') throw error
        return renderLinkProblem(reply, error, locale, await linkContext({ tokens, users }, db, token, error))
      }
    },
  )
}

function firstMessage(error: { validation?: { message?: string }[]; message: string }): string {
  return error.validation?.[0]?.message ?? error.message
}

export default setPassword
