import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { checkLinkToken, consumeLinkToken } from '../link-tokens/link-tokens.ts'
import { requestLoginCode } from '../login-code/login-code.ts'
import { BODY_ERRORS, errors, TokenPairSchema } from '../openapi/schemas.ts'
import { countLoginAttempt } from '../plugins/http-metrics.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { EmailSchema } from '../users/email.ts'

const BodySchema = z.object({ email: EmailSchema })
const ParamsSchema = z.object({ token: z.string().min(1) })

/**
 * Sign-in by e-mail. `POST /login/email` always answers the same 202: a
 * confirmed account gets a mail with a 6-digit code (and, with APP_LOGIN_URL,
 * a link to the product's page), at most one per cooldown; an unknown or
 * unconfirmed address gets nothing. `POST /login/email/{token}` is what that
 * page posts: the link's token for a session. A GET never reaches the api, so
 * a mail scanner opening the link uses nothing up.
 */
const loginEmail: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, sessions, outbox, relay, cooldowns, mailBudget, env } = app

  app.post(
    '/login/email',
    {
      schema: {
        summary: 'Mail a sign-in code (and link)',
        tags: ['sessions'],
        body: BodySchema,
        response: {
          202: z
            .object({ message: z.string(), resend_after_seconds: z.number().int() })
            .describe('Accepted: the same answer for every address, inside the cooldown too'),
          ...errors(...BODY_ERRORS, 'RATE_LIMITED'),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'login-email') },
    },
    async (request, reply) => {
      const { email } = request.body
      await db.transaction((tx) =>
        requestLoginCode({ users, cooldowns, mailBudget, outbox }, tx, {
          email,
          at: new Date(app.now()),
          requestId: request.id,
          log: request.log,
        }),
      )
      relay.kick()
      return reply.code(202).send({
        message: 'If this address has an account, a sign-in code is on its way',
        resend_after_seconds: cooldowns.seconds,
      })
    },
  )

  app.post(
    '/login/email/:token',
    {
      schema: {
        summary: 'Sign in with the token of a sign-in link',
        tags: ['sessions'],
        params: ParamsSchema,
        response: {
          200: TokenPairSchema,
          ...errors(
            'VALIDATION_ERROR',
            'RATE_LIMITED',
            'AUTH_INVALID_TOKEN',
            'AUTH_TOKEN_EXPIRED',
            'AUTH_TOKEN_USED',
            'AUTH_USER_NOT_FOUND',
            'AUTH_EMAIL_NOT_VERIFIED',
          ),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'login-email-token') },
      onResponse: countLoginAttempt,
    },
    async (request) => {
      const pair = await db.transaction(async (tx) => {
        // The account row is locked: of racing requests with one link, exactly one gets a session.
        const link = await checkLinkToken({ tokens, users }, tx, request.params.token, ['login_email'], {
          forUpdate: true,
        })
        // An admin marked the address unconfirmed after the mail went out.
        if (!link.user.email_verified_at) throw new AppError('AUTH_EMAIL_NOT_VERIFIED')
        await consumeLinkToken(tx, link.claims)
        request.log.info({ userId: link.user.id }, 'signed in with an e-mailed link')
        return sessions.signIn(tx, link.user, request, 'email_link')
      })
      relay.kick()
      return pair
    },
  )
}

export default loginEmail
