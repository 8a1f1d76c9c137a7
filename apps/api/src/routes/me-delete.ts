import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { events } from '../events/events.ts'
import { AUTH_ERRORS, BEARER, BODY_ERRORS, errors, noContent } from '../openapi/schemas.ts'
import { confirmCurrentPassword } from '../passwords/current-password.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { keepAnAdmin } from '../users/last-admin.ts'
import { signedIn } from '../users/user-view.ts'

const BodySchema = z.object({
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(1024),
})

/**
 * DELETE /me: the owner leaves. The password is checked like POST
 * /me/password (counted by the login throttle, the same error when wrong), so
 * a stolen access token cannot delete an account. Then, in one transaction,
 * every section of the account's data is erased (sessions end with it) and
 * a farewell mail is queued; its job names only the address, so nothing left
 * behind points at the deleted account. The last admin is refused: someone
 * must remain who can manage the accounts.
 */
const meDelete: FastifyPluginAsyncZod = async (app) => {
  const { db, users, accountData, outbox, relay, loginThrottle, authenticate, env } = app

  app.delete(
    '/me',
    {
      preHandler: authenticate,
      schema: {
        summary: 'Delete this account and everything stored about it',
        tags: ['account'],
        security: BEARER,
        body: BodySchema,
        response: {
          204: noContent('Deleted; a last mail confirms it to the address'),
          ...errors(
            ...BODY_ERRORS,
            ...AUTH_ERRORS,
            'RATE_LIMITED',
            'AUTH_INVALID_CREDENTIALS',
            'AUTH_TOO_MANY_ATTEMPTS',
            'LAST_ADMIN',
          ),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'account-delete') },
    },
    async (request, reply) => {
      const user = signedIn(request)
      // The right password starts the sign-in count over, also if the last admin is refused below.
      const candidate = { password: request.body.password, field: 'password' }
      await confirmCurrentPassword({ db, loginThrottle }, request, reply, user, candidate)

      await db.transaction(async (tx) => {
        const current = await users.findById(tx, user.id, { forUpdate: true })
        // Deleted by a concurrent request since authenticate read it: this token's account is gone.
        if (!current) throw new AppError('AUTH_INVALID_TOKEN')
        if (current.role === 'admin') await keepAnAdmin(users, tx, current.id)
        await accountData.erase(tx, current)
        await outbox.add(
          tx,
          { id: randomUUID(), type: 'account_deleted', email: current.email, locale: current.locale },
          request.id,
        )
        const data = { email: current.email, reason: 'self' } as const
        await events.record(tx, { type: 'user.deleted', userId: current.id, data }, { requestId: request.id })
      })
      relay.kick()
      return reply.code(204).send(null)
    },
  )
}

export default meDelete
