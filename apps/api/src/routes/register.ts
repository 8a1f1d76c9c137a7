import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pickLocale } from '../locale.ts'
import { PasswordSchema } from '../passwords/password-schema.ts'
import { hashPassword } from '../passwords/passwords.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { EmailSchema } from '../users/email.ts'
import { queueConfirmation } from '../verification/confirmation-mail.ts'

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
  const { db, users, outbox, relay, cooldowns, env } = app

  app.post(
    '/register',
    { schema: { body: RegisterBodySchema }, config: { rateLimit: ipRateLimit(env) } },
    async (request, reply) => {
      const { email, password } = request.body
      const locale = pickLocale(request.body.locale, request.headers['accept-language'], env.DEFAULT_LOCALE)
      // Hashed whether or not the account exists, so both answers take as long.
      const passwordHash = password ? await hashPassword(password) : null

      await db.transaction(async (tx) => {
        const existing = await users.findByEmail(tx, email, { forUpdate: true })
        const user = existing ?? (await users.insert(tx, { email, passwordHash, locale }))
        if (!user) return // a concurrent request created the account and sends its mail
        // Repeated registrations of one address must not flood its inbox; a new account always gets its mail.
        const slot = await cooldowns.claim(tx, email, 'verification')
        if (existing && !slot.allowed) return
        if (existing?.email_verified_at) {
          const job = {
            id: randomUUID(),
            type: 'account_exists',
            email: user.email,
            locale: user.locale,
          } as const
          await outbox.add(tx, job, request.id)
          return
        }
        // New, or registered before but never confirmed: (re)send the confirmation, never touching the
        // stored password, so nobody can set the password of an address they do not own.
        await queueConfirmation(outbox, tx, user, request.id)
      })
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
