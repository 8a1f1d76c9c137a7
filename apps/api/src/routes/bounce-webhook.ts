import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { BODY_ERRORS, errors } from '../openapi/schemas.ts'
import { bounceSecretGuard } from '../suppressions/bounce-secret.ts'
import type { SuppressionReason } from '../suppressions/suppressions-repository.ts'
import { EmailSchema } from '../users/email.ts'

/** Reports per request: a provider's batch, bounded so one request stays one short transaction. */
export const MAX_BOUNCES_PER_REQUEST = 100

const BounceSchema = z.object({
  email: EmailSchema,
  type: z
    .enum(['hard', 'soft', 'complaint'])
    .describe('hard: the mailbox does not exist; soft: a temporary refusal; complaint: marked as spam'),
})
const BodySchema = z.union([BounceSchema, z.array(BounceSchema).min(1).max(MAX_BOUNCES_PER_REQUEST)], {
  // A union names no culprit of its own: say what is wrong with the shape that was sent.
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined
    const sent = Array.isArray(issue.input) ? issue.errors[1] : issue.errors[0]
    return sent?.[0]?.message ?? 'Send {email, type} or a list of 1–100 of them'
  },
})

const REASON: Record<'hard' | 'complaint', SuppressionReason> = {
  hard: 'hard_bounce',
  complaint: 'complaint',
}

/**
 * POST /webhooks/bounces: where a mail provider (or a script reading the
 * bounce mailbox) reports what happened after the SMTP server took a mail.
 * Hard bounces and complaints suppress the address; soft bounces are counted,
 * and the third within seven days suppresses it.
 */
const bounceWebhook: FastifyPluginAsyncZod = async (app) => {
  const { db, suppressions, env } = app

  app.post(
    '/webhooks/bounces',
    {
      onRequest: bounceSecretGuard(env.BOUNCE_WEBHOOK_SECRET),
      schema: {
        summary: 'Report bounces and complaints (bearer BOUNCE_WEBHOOK_SECRET; 404 when unset)',
        tags: ['suppressions'],
        security: [{ bounceSecret: [] }],
        body: BodySchema,
        response: {
          200: z
            .object({
              received: z.number().int().describe('Reports in the request'),
              suppressed: z.number().int().describe('Addresses newly suppressed by them'),
            })
            .describe('Recorded'),
          ...errors(...BODY_ERRORS, 'AUTH_INVALID_TOKEN', 'NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const reports = [request.body].flat()
      const suppressed = await db.transaction(async (tx) => {
        let added = 0
        for (const { email, type } of reports) {
          const done =
            type === 'soft'
              ? await suppressions.softBounce(tx, email, 'webhook')
              : await suppressions.suppress(tx, { email, reason: REASON[type], source: 'webhook' })
          if (done) added += 1
        }
        return added
      })
      return { received: reports.length, suppressed }
    },
  )
}

export default bounceWebhook
