import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { AUTH_ERRORS, BEARER, BODY_ERRORS, errors, TokenPairSchema } from '../openapi/schemas.ts'
import { changePassword } from '../passwords/change-password.ts'
import { confirmCurrentPassword } from '../passwords/current-password.ts'
import { PasswordSchema } from '../passwords/password-schema.ts'
import { hashPassword } from '../passwords/passwords.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { sessionClient } from '../sessions/session-client.ts'
import { signedIn } from '../users/user-view.ts'

const BodySchema = z.object({
  current_password: z
    .string({ error: 'Enter your current password' })
    .min(1, 'Enter your current password')
    .max(1024),
  new_password: PasswordSchema,
})

/**
 * POST /me/password. Checks the current password (counted by the login
 * throttle: a stolen access token must not become a password oracle), then
 * sets the new one, which bumps the credential version and ends every
 * session, queues a "password changed" notice, and starts a fresh session for
 * this client: the caller stays signed in, every other device is signed out.
 */
const mePassword: FastifyPluginAsyncZod = async (app) => {
  const { db, users, sessions, outbox, relay, loginThrottle, authenticate, env } = app

  app.post(
    '/me/password',
    {
      preHandler: authenticate,
      schema: {
        summary: 'Change the password; other sessions end, this one gets new tokens',
        tags: ['account'],
        security: BEARER,
        body: BodySchema,
        response: {
          200: TokenPairSchema.extend({ message: z.string() }).describe('Password changed; a new token pair'),
          ...errors(
            ...BODY_ERRORS,
            ...AUTH_ERRORS,
            'RATE_LIMITED',
            'AUTH_INVALID_CREDENTIALS',
            'AUTH_TOO_MANY_ATTEMPTS',
          ),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'password-change') },
    },
    async (request, reply) => {
      const user = signedIn(request)
      const { current_password, new_password } = request.body
      const candidate = { password: current_password, field: 'current_password' }
      await confirmCurrentPassword({ db, loginThrottle }, request, reply, user, candidate)
      if (new_password === current_password) {
        throw new AppError('VALIDATION_ERROR', {
          field: 'new_password',
          message: 'Choose a password different from the current one',
        })
      }

      const passwordHash = await hashPassword(new_password)
      const pair = await db.transaction(async (tx) => {
        const updated = await changePassword(
          { users, outbox, loginThrottle },
          tx,
          user,
          passwordHash,
          request.id,
          'change',
        )
        return sessions.start(tx, updated, sessionClient(request))
      })
      relay.kick()
      return { message: 'Password changed; other sessions were signed out', ...pair }
    },
  )
}

export default mePassword
