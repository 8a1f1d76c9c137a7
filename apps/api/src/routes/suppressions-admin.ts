import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { AUTH_ERRORS, BEARER, errors, noContent } from '../openapi/schemas.ts'
import { decodeSuppressionCursor, encodeSuppressionCursor } from '../suppressions/suppression-cursor.ts'
import { SUPPRESSION_REASONS } from '../suppressions/suppressions-repository.ts'
import { normalizeEmail } from '../users/email.ts'

const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(512).optional(),
})

const SuppressionSchema = z.object({
  email: z.string().describe('The address, normalised and lower-cased'),
  reason: z.enum(SUPPRESSION_REASONS),
  source: z
    .string()
    .describe('smtp (the SMTP server refused the recipient) or webhook (POST /webhooks/bounces)'),
  detail: z.string().nullable().describe("The SMTP server's reply, or the soft bounce count"),
  created_at: z.string().meta({ format: 'date-time' }),
})

/** The suppression list for admins: read it, and lift an entry when the mailbox works again. */
const suppressionsAdmin: FastifyPluginAsyncZod = async (app) => {
  const { db, suppressions, authenticate, requireAdmin } = app

  app.get(
    '/suppressions',
    {
      preHandler: [authenticate, requireAdmin],
      schema: {
        summary: 'List suppressed addresses, newest first (admin)',
        tags: ['suppressions'],
        security: BEARER,
        querystring: ListQuerySchema,
        response: {
          200: z
            .object({ suppressions: z.array(SuppressionSchema), next_cursor: z.string().nullable() })
            .describe('A page of suppressed addresses'),
          ...errors(...AUTH_ERRORS, 'AUTH_FORBIDDEN', 'VALIDATION_ERROR', 'BAD_REQUEST'),
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query
      const page = await suppressions.list(db, {
        limit,
        cursor: cursor ? decodeSuppressionCursor(cursor) : undefined,
      })
      return {
        suppressions: page.suppressions.map((row) => ({
          ...row,
          created_at: new Date(row.created_at).toISOString(),
        })),
        next_cursor: page.next ? encodeSuppressionCursor(page.next) : null,
      }
    },
  )

  app.delete(
    '/suppressions/:email',
    {
      preHandler: [authenticate, requireAdmin],
      schema: {
        summary: 'Lift a suppression: mail goes to the address again (admin)',
        tags: ['suppressions'],
        security: BEARER,
        params: z.object({ email: z.string().max(254) }),
        response: {
          204: noContent('Lifted'),
          ...errors(...AUTH_ERRORS, 'AUTH_FORBIDDEN', 'NOT_FOUND', 'VALIDATION_ERROR'),
        },
      },
    },
    async (request, reply) => {
      const email = normalizeEmail(request.params.email)
      if (!(await db.transaction((tx) => suppressions.lift(tx, email)))) {
        throw new AppError('NOT_FOUND', { message: 'This address is not suppressed' })
      }
      return reply.code(204).send(null)
    },
  )
}

export default suppressionsAdmin
