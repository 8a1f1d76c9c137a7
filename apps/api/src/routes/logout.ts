import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { BODY_ERRORS, errors, noContent } from '../openapi/schemas.ts'

const BodySchema = z.object({
  refresh_token: z.string({ error: 'Send the refresh token' }).min(1, 'Send the refresh token').max(512),
  /** Also end every other session of the same account ("sign out everywhere"). */
  everywhere: z.boolean().default(false),
})

/**
 * POST /logout: ends the session the refresh token belongs to. Always 204:
 * signing out twice, or with a token that already ended, is not an error.
 * Access tokens of that session stay valid until they expire (minutes).
 */
const logout: FastifyPluginAsyncZod = async (app) => {
  const { db, sessions } = app

  app.post(
    '/logout',
    {
      schema: {
        summary: 'End the session of a refresh token (or every session)',
        tags: ['sessions'],
        body: BodySchema,
        response: {
          204: noContent('Signed out (also when the token had already ended)'),
          ...errors(...BODY_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const { refresh_token, everywhere } = request.body
      await db.transaction(async (tx) => {
        const userId = await sessions.end(tx, refresh_token)
        if (userId && everywhere) await sessions.endAll(tx, userId)
      })
      return reply.code(204).send(null)
    },
  )
}

export default logout
