import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { AUTH_ERRORS, BEARER, errors, noContent } from '../openapi/schemas.ts'
import { SessionViewSchema, sessionView } from '../sessions/session-view.ts'
import { isUuid } from '../users/user-cursor.ts'
import { signedIn } from '../users/user-view.ts'

const ParamsSchema = z.object({ id: z.string() })

/** Someone else's session and one that does not exist get the same answer. */
const notFound = () => new AppError('NOT_FOUND', { message: 'You have no session with this id' })

/**
 * GET /me/sessions and DELETE /me/sessions/:id: the signed-in user's live
 * sessions (one per sign-in, however often refreshed), and ending one of them,
 * e.g. a lost phone's. Ending a session revokes its refresh token; an access
 * token already issued to it works until it expires (minutes), as after a logout.
 */
const meSessions: FastifyPluginAsyncZod = async (app) => {
  const { db, sessions, authenticate } = app

  app.get(
    '/me/sessions',
    {
      preHandler: authenticate,
      schema: {
        summary: 'The signed-in sessions of this account',
        tags: ['sessions'],
        security: BEARER,
        response: {
          200: z.object({ sessions: z.array(SessionViewSchema) }).describe('Live sessions, newest use first'),
          ...errors(...AUTH_ERRORS),
        },
      },
    },
    async (request) => {
      const user = signedIn(request)
      const rows = await sessions.list(db, user.id)
      return { sessions: rows.map((row) => sessionView(row, request.sessionId)) }
    },
  )

  app.delete(
    '/me/sessions/:id',
    {
      preHandler: authenticate,
      schema: {
        summary: 'End one session of this account (sign a device out)',
        tags: ['sessions'],
        security: BEARER,
        params: ParamsSchema,
        response: { 204: noContent('The session ended'), ...errors(...AUTH_ERRORS, 'NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const user = signedIn(request)
      const { id } = request.params
      if (!isUuid(id)) throw notFound()
      const ended = await db.transaction((tx) => sessions.endOne(tx, user.id, id))
      if (!ended) throw notFound()
      return reply.code(204).send(null)
    },
  )
}

export default meSessions
