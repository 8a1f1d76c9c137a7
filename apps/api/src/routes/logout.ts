import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

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

  app.post('/logout', { schema: { body: BodySchema } }, async (request, reply) => {
    const { refresh_token, everywhere } = request.body
    await db.transaction(async (tx) => {
      const userId = await sessions.end(tx, refresh_token)
      if (userId && everywhere) await sessions.endAll(tx, userId)
    })
    return reply.code(204).send()
  })
}

export default logout
