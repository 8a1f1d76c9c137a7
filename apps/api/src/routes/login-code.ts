import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { useLoginCode } from '../login-code/login-code.ts'
import { BODY_ERRORS, errors, TokenPairSchema } from '../openapi/schemas.ts'
import { countLoginAttempt } from '../plugins/http-metrics.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import type { TokenPair } from '../sessions/sessions.ts'
import { EmailSchema } from '../users/email.ts'

const BodySchema = z.object({
  email: EmailSchema,
  code: z
    .string({ error: 'Enter the 6-digit code' })
    .trim()
    .regex(/^\d{6}$/, 'Enter the 6-digit code'),
})

/**
 * POST /login/code: the mailed code for the tokens `POST /login` gives. A code
 * is a password that lasts minutes, so it is guarded like one: the sign-in
 * throttle per client and address first, then at most 5 tries per code and 20
 * wrong codes per address a day. Every refusal is one 401 body, for known and
 * unknown addresses alike.
 */
const loginCode: FastifyPluginAsyncZod = async (app) => {
  const { db, users, deliveries, tokens, sessions, loginThrottle, relay, env } = app

  app.post(
    '/login/code',
    {
      schema: {
        summary: 'Sign in with the 6-digit code from the mail',
        tags: ['sessions'],
        body: BodySchema,
        response: {
          200: TokenPairSchema,
          ...errors(...BODY_ERRORS, 'RATE_LIMITED', 'AUTH_INVALID_LOGIN_CODE', 'AUTH_TOO_MANY_ATTEMPTS'),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'login-code') },
      onResponse: countLoginAttempt,
    },
    async (request, reply) => {
      const { email, code } = request.body
      await loginThrottle.guard(db, email, request.ip, reply)
      const pair = await db.transaction(async (tx): Promise<TokenPair | null> => {
        const user = await useLoginCode({ users, deliveries, tokens }, tx, {
          email,
          code,
          at: new Date(app.now()),
        })
        return user ? sessions.signIn(tx, user, request, 'email_code') : null
      })
      relay.kick()
      // Thrown after the commit: the try and the wrong code stay counted.
      if (!pair) throw new AppError('AUTH_INVALID_LOGIN_CODE')
      await loginThrottle.clear(db, email, request.ip)
      return pair
    },
  )
}

export default loginCode
