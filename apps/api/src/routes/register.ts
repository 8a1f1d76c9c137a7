import { LocaleSchema } from '@authmail/contracts'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pickLocale } from '../locale.ts'
import { BODY_ERRORS, errors } from '../openapi/schemas.ts'
import { PasswordSchema } from '../passwords/password-schema.ts'
import { hashPassword } from '../passwords/passwords.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { EmailSchema } from '../users/email.ts'
import { registerAccount } from '../users/registration.ts'

export const RegisterBodySchema = z.object({
  email: EmailSchema,
  password: PasswordSchema.optional(),
  locale: z.string().optional(),
})

/**
 * POST /register. The answer is the same for a new and an existing address;
 * only the mail differs (a link to set or confirm, or "you already have an
 * account"), so the endpoint tells nobody which addresses are registered.
 */
const register: FastifyPluginAsyncZod = async (app) => {
  const { db, relay, cooldowns, env } = app

  app.post(
    '/register',
    {
      schema: {
        summary: 'Create an account (or mail the owner of an existing one)',
        tags: ['registration'],
        body: RegisterBodySchema,
        response: {
          202: z
            .object({
              message: z.string(),
              email: z.string(),
              resend_after_seconds: z.number().int(),
              locale: LocaleSchema.describe(
                'The language the mail is in: the request, else Accept-Language, else DEFAULT_LOCALE',
              ),
            })
            .describe('Accepted: the same answer for new and existing addresses'),
          ...errors(...BODY_ERRORS, 'RATE_LIMITED'),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'register') },
    },
    async (request, reply) => {
      const { email, password } = request.body
      const locale = pickLocale(request.body.locale, request.headers['accept-language'], env.DEFAULT_LOCALE)
      // Hashed whether or not the account exists, so both answers take as long.
      const passwordHash = password ? await hashPassword(password) : null

      // Repeated registrations of one mailbox (`+tag` variants included) must not flood it: one mail
      // per cooldown, for new accounts too; the owner can ask for another once it has passed.
      await registerAccount(app, db, { email, passwordHash, locale, requestId: request.id }, request.log)
      relay.kick()

      return reply.code(202).send({
        message: 'Check your inbox: we sent a link to continue',
        email,
        resend_after_seconds: cooldowns.seconds,
        // The language chosen for this request (an unsupported `locale` falls back to
        // Accept-Language, then DEFAULT_LOCALE): the same for a new and an existing address.
        locale,
      })
    },
  )
}

export default register
