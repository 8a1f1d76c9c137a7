import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { BODY_ERRORS, errors, TokenPairSchema } from '../openapi/schemas.ts'
import { dummyHash, verifyPassword } from '../passwords/passwords.ts'
import { countLoginAttempt } from '../plugins/http-metrics.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { EMAIL_VERIFICATION_SCOPE } from '../sessions/auth.ts'
import { EmailSchema } from '../users/email.ts'

export const LoginBodySchema = z.object({
  email: EmailSchema,
  // Not the new-password rules: whatever is sent is only compared. The cap keeps hashing cheap.
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(1024),
})

/**
 * POST /login. A wrong password and an unknown address get the same 401 body
 * after the same work (an unknown address is checked against a dummy hash).
 * Only once the password is right does an unconfirmed account learn that it
 * must confirm its address first, so that answer reveals nothing to a guesser;
 * it comes with a `verification_token`, a session limited to `GET /me` and
 * `POST /verify-email/code`, so a single-page app can take the mailed code.
 */
const login: FastifyPluginAsyncZod = async (app) => {
  const { db, users, sessions, loginThrottle, tokens, relay, env } = app

  app.post(
    '/login',
    {
      schema: {
        summary: 'Sign in with e-mail and password',
        tags: ['sessions'],
        body: LoginBodySchema,
        response: {
          200: TokenPairSchema,
          ...errors(
            ...BODY_ERRORS,
            'RATE_LIMITED',
            'AUTH_INVALID_CREDENTIALS',
            'AUTH_EMAIL_NOT_VERIFIED',
            'AUTH_TOO_MANY_ATTEMPTS',
          ),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'login') },
      onResponse: countLoginAttempt,
    },
    async (request, reply) => {
      const { email, password } = request.body
      await loginThrottle.guard(db, email, request.ip, reply)

      const user = await users.findByEmail(db, email)
      const hash = user?.password_hash ?? (await dummyHash())
      const correct = (await verifyPassword(hash, password)) && user?.password_hash != null
      if (!user || !correct) throw new AppError('AUTH_INVALID_CREDENTIALS')

      await loginThrottle.clear(db, email, request.ip)
      if (!user.email_verified_at) {
        // No full session yet, but one that can confirm the address with the mailed code.
        const { token } = tokens.sign('access', {
          sub: user.id,
          ver: user.credential_version,
          scope: EMAIL_VERIFICATION_SCOPE,
        })
        throw new AppError('AUTH_EMAIL_NOT_VERIFIED', {
          details: { verification_token: token, token_type: 'Bearer', expires_in: env.ACCESS_TOKEN_TTL },
        })
      }
      const pair = await db.transaction((tx) => sessions.signIn(tx, user, request, 'password'))
      relay.kick()
      return pair
    },
  )
}

export default login
