import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { AUTH_ERRORS, BEARER, errors } from '../openapi/schemas.ts'
import { signedIn } from '../users/user-view.ts'

/**
 * GET /me/export: everything stored about the signed-in user as one JSON
 * document, built from the sections of `account-data/` (no secrets, hashes
 * or tokens). Read in one transaction, so the sections agree with each other.
 */
const meExport: FastifyPluginAsyncZod = async (app) => {
  const { db, accountData, authenticate, now } = app

  app.get(
    '/me/export',
    {
      preHandler: authenticate,
      schema: {
        summary: 'Everything stored about this account, as one JSON document',
        tags: ['account'],
        security: BEARER,
        response: { 200: accountData.schema, ...errors(...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      const user = signedIn(request)
      const document = await db.transaction((tx) => accountData.exportOf(tx, user, new Date(now())))
      // Saved as a file by a browser that opens the link.
      reply.header('content-disposition', 'attachment; filename="account-export.json"')
      return document
    },
  )
}

export default meExport
