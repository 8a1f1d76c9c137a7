import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pickLocale } from '../locale.ts'
import { BODY_ERRORS, errors, jsonOrPage, MessageSchema } from '../openapi/schemas.ts'
import { renderMessage } from '../pages/messages.ts'
import { wantsPage } from '../pages/render.ts'
import { pageStrings } from '../pages/strings.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { EmailSchema } from '../users/email.ts'

const BodySchema = z.object({ email: EmailSchema, locale: z.string().optional() })

/**
 * POST /recover-password. Always 202 with the same body: a known address gets
 * a reset link, an unknown one a "no account here" mail, at most one of either
 * per cooldown, so neither the answer nor the inbox can be used to probe.
 */
const recoverPassword: FastifyPluginAsyncZod = async (app) => {
  const { db, users, outbox, relay, cooldowns, mailBudget, env } = app

  app.post(
    '/recover-password',
    {
      schema: {
        summary: 'Mail a password reset link',
        tags: ['registration'],
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: BodySchema,
        response: {
          202: jsonOrPage(MessageSchema, 'Accepted, whether or not the address has an account'),
          ...errors(...BODY_ERRORS, 'RATE_LIMITED'),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'recover-password') },
    },
    async (request, reply) => {
      const { email } = request.body
      const locale = pickLocale(request.body.locale, request.headers['accept-language'], env.DEFAULT_LOCALE)

      await db.transaction(async (tx) => {
        const user = await users.findByEmail(tx, email)
        if (!(await cooldowns.claim(tx, email, 'recovery')).allowed) return
        if (!(await mailBudget.admit(tx, email, request.log))) return
        const id = randomUUID()
        if (!user) {
          await outbox.add(tx, { id, type: 'no_account', email, locale }, request.id)
          return
        }
        const job = {
          id,
          type: 'reset_password',
          email: user.email,
          locale: user.locale,
          userId: user.id,
        } as const
        await outbox.add(tx, { ...job, credentialVersion: user.credential_version }, request.id)
      })
      relay.kick()

      if (wantsPage(request)) {
        const t = pageStrings(locale)
        return renderMessage(reply, locale, {
          title: t('check_inbox_title'),
          text: t('check_inbox_text', { email }),
          status: 202,
          final: true,
        })
      }
      return reply
        .code(202)
        .send({ message: 'If an account exists for this address, a reset link is on its way' })
    },
  )
}

export default recoverPassword
