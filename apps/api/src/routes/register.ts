import { randomUUID } from 'node:crypto'
import { LocaleSchema } from '@authmail/contracts'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { events } from '../events/events.ts'
import { pickLocale } from '../locale.ts'
import { BODY_ERRORS, errors } from '../openapi/schemas.ts'
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
  const { db, users, outbox, relay, cooldowns, mailBudget, env } = app

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

      await db.transaction(async (tx) => {
        const existing = await users.findByEmail(tx, email, { forUpdate: true })
        let user = existing ?? (await users.insert(tx, { email, passwordHash, locale }))
        if (!user) return // a concurrent request created the account and sends its mail
        // One more INSERT, for new accounts only: far below the noise of the password hash and the
        // mail job both answers already wait for (docs/events.md).
        if (!existing) {
          const data = { email: user.email, locale: user.locale }
          await events.record(
            tx,
            { type: 'user.registered', userId: user.id, data },
            { requestId: request.id },
          )
        }
        // A second registration of an unconfirmed address: nobody can tell which registrant owns the
        // mailbox, so no password chosen so far survives, whichever link confirms the account
        // (docs/security.md, pre-account hijack). Done inside the cooldown too, where no mail goes out.
        if (existing && !existing.email_verified_at && existing.password_hash) {
          user = (await users.clearUnconfirmedPassword(tx, existing.id)) ?? existing
        }
        // Repeated registrations of one mailbox (`+tag` variants included) must not flood it: one mail
        // per cooldown, for new accounts too; the owner can ask for another once it has passed.
        if (!(await cooldowns.claim(tx, email, 'verification')).allowed) return
        if (!(await mailBudget.admit(tx, email, request.log))) return
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
        // New: the confirmation. Registered before but never confirmed: a set-password link (the
        // password is gone), so only the mailbox owner chooses the password the account keeps.
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
