import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { pickLocale } from '../locale.ts'
import { BODY_ERRORS, errors, jsonOrPage } from '../openapi/schemas.ts'
import { durationInWords } from '../pages/durations.ts'
import { renderMessage } from '../pages/messages.ts'
import { wantsPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { EmailSchema } from '../users/email.ts'
import { queueConfirmation } from '../verification/confirmation-mail.ts'

const BodySchema = z.object({ email: EmailSchema, locale: z.string().optional() })

export const cooldownError = (waitSeconds: number) =>
  new AppError('AUTH_EMAIL_RESEND_COOLDOWN', {
    message: `Please wait ${waitSeconds} seconds before requesting a new verification email`,
    details: { wait_seconds: waitSeconds },
  })

/**
 * POST /resend-verification. The cooldown is claimed per address before
 * anything is looked up, so an unknown, an unconfirmed and a confirmed
 * address get the same 202 and the same 429: only an unconfirmed account's
 * owner gets a mail (with a fresh link and code).
 */
const resendVerification: FastifyPluginAsyncZod = async (app) => {
  const { db, users, outbox, relay, cooldowns, mailBudget, env } = app

  app.post(
    '/resend-verification',
    {
      schema: {
        summary: 'Mail a new confirmation link and code',
        tags: ['registration'],
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: BodySchema,
        response: {
          202: jsonOrPage(
            z.object({ message: z.string(), resend_after_seconds: z.number().int() }),
            'Accepted, whether or not the address has an account',
          ),
          ...errors(...BODY_ERRORS, 'RATE_LIMITED', 'AUTH_EMAIL_RESEND_COOLDOWN'),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'resend-verification') },
    },
    async (request, reply) => {
      const { email } = request.body
      const slot = await db.transaction(async (tx) => {
        const slot = await cooldowns.claim(tx, email, 'verification')
        if (!slot.allowed) return slot
        const user = await users.findByEmail(tx, email)
        if (!user || user.email_verified_at) return slot
        if (!(await mailBudget.admit(tx, email, request.log))) return slot
        await queueConfirmation(outbox, tx, user, request.id)
        return slot
      })
      relay.kick()

      if (wantsPage(request)) {
        const locale = pickLocale(request.body.locale, request.headers['accept-language'], env.DEFAULT_LOCALE)
        const t = pageStrings(locale)
        if (!slot.allowed) {
          reply.header('retry-after', String(slot.waitSeconds))
          const text = t('resend_wait_text', { duration: durationInWords(slot.waitSeconds, locale) })
          return renderMessage(reply, locale, { title: t('resend_wait_title'), text, status: 429 })
        }
        const text = t('check_inbox_text', { email })
        return renderMessage(reply, locale, { title: t('check_inbox_title'), text, status: 202, final: true })
      }
      if (!slot.allowed) {
        reply.header('retry-after', String(slot.waitSeconds))
        throw cooldownError(slot.waitSeconds)
      }
      return reply
        .code(202)
        .send({ message: 'Verification email sent', resend_after_seconds: cooldowns.seconds })
    },
  )
}

export default resendVerification
