import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { AUTH_ERRORS, BEARER, BODY_ERRORS, errors } from '../openapi/schemas.ts'
import { confirmCurrentPassword } from '../passwords/current-password.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { EmailSchema } from '../users/email.ts'
import { signedIn } from '../users/user-view.ts'

const BodySchema = z.object({
  new_email: EmailSchema,
  password: z
    .string({ error: 'Enter your current password' })
    .min(1, 'Enter your current password')
    .max(1024),
})

const AcceptedSchema = z.object({
  message: z.string(),
  email: z.string(),
  resend_after_seconds: z.number().int(),
})

/**
 * POST /me/email. The password is checked as `POST /me/password` checks it
 * (same error, same sign-in throttle): a stolen access token alone cannot
 * move an account. The answer is the same whether or not the new address
 * has an account; only the mail differs.
 */
const meEmail: FastifyPluginAsyncZod = async (app) => {
  const { db, relay, loginThrottle, emailChange, cooldowns, authenticate, env } = app

  app.post(
    '/me/email',
    {
      preHandler: authenticate,
      schema: {
        summary: 'Ask to move the account to a new address; a link and a code go there',
        tags: ['account'],
        security: BEARER,
        body: BodySchema,
        response: {
          202: AcceptedSchema.describe('Accepted: the same answer whether or not the address has an account'),
          ...errors(
            ...BODY_ERRORS,
            ...AUTH_ERRORS,
            'RATE_LIMITED',
            'AUTH_INVALID_CREDENTIALS',
            'AUTH_TOO_MANY_ATTEMPTS',
            'AUTH_EMAIL_RESEND_COOLDOWN',
          ),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'email-change') },
    },
    async (request, reply) => {
      const user = signedIn(request)
      const { new_email, password } = request.body
      await confirmCurrentPassword({ db, loginThrottle }, request, reply, user, {
        password,
        field: 'password',
      })
      if (new_email.toLowerCase() === user.email.toLowerCase()) {
        throw new AppError('VALIDATION_ERROR', {
          field: 'new_email',
          message: 'This is already your address',
        })
      }
      const slot = await db.transaction((tx) =>
        emailChange.request(tx, user, new_email, request.id, request.log),
      )
      relay.kick()
      if (!slot.allowed) {
        reply.header('retry-after', String(slot.waitSeconds))
        throw new AppError('AUTH_EMAIL_RESEND_COOLDOWN', {
          message: `Please wait ${slot.waitSeconds} seconds before asking again for this address`,
          details: { wait_seconds: slot.waitSeconds },
        })
      }
      return reply.code(202).send({
        message: 'Check the new address: we sent a link and a code to confirm it',
        email: new_email,
        resend_after_seconds: cooldowns.seconds,
      })
    },
  )
}

export default meEmail
