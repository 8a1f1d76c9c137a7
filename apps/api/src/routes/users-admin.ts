import { LocaleSchema } from '@authmail/contracts'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { events } from '../events/events.ts'
import { AUTH_ERRORS, BEARER, BODY_ERRORS, errors, noContent, UserViewSchema } from '../openapi/schemas.ts'
import { keepAnAdmin } from '../users/last-admin.ts'
import { decodeCursor, encodeCursor, isUuid } from '../users/user-cursor.ts'
import { DisplayNameSchema, signedIn, userView } from '../users/user-view.ts'
import type { User } from '../users/users-repository.ts'

const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(512).optional(),
  /** Part of the address, case-insensitive. */
  email: z.string().trim().min(1).max(254).optional(),
  verified: z.enum(['true', 'false']).optional(),
})

const ParamsSchema = z.object({ id: z.string() })

const PatchSchema = z.object({
  display_name: DisplayNameSchema.optional(),
  locale: LocaleSchema.optional(),
  role: z.enum(['user', 'admin']).optional(),
  email_verified: z.boolean().optional(),
})

const notFound = () => new AppError('NOT_FOUND', { message: 'There is no user with this id' })

/**
 * User management. Admins read and change everyone; a user may read and edit
 * their own profile (name, locale) here too, but never their role or
 * verification, and is told 403 about anyone else before learning whether
 * that id exists. The last admin cannot be demoted or deleted.
 */
const usersAdmin: FastifyPluginAsyncZod = async (app) => {
  const { db, users, deliveries, suppressions, accountData, relay, authenticate, requireAdmin } = app

  /** The view of one account, with its delivery status and whether its address is suppressed. */
  const viewOf = async (user: User) =>
    userView(user, await deliveries.statusFor(db, user.id), await suppressions.isSuppressed(db, user.email))

  /** The target of /users/:id, after the "self or admin" rule. */
  function target(request: FastifyRequest, id: string) {
    const me = signedIn(request)
    if (me.id !== id && me.role !== 'admin') throw new AppError('AUTH_FORBIDDEN')
    if (!isUuid(id)) throw notFound()
    return me
  }

  app.get(
    '/users',
    {
      preHandler: [authenticate, requireAdmin],
      schema: {
        summary: 'List users, newest first, with their verification status (admin)',
        tags: ['users'],
        security: BEARER,
        querystring: ListQuerySchema,
        response: {
          200: z
            .object({ users: z.array(UserViewSchema), next_cursor: z.string().nullable() })
            .describe('A page of users'),
          ...errors(...AUTH_ERRORS, 'AUTH_FORBIDDEN', 'VALIDATION_ERROR', 'BAD_REQUEST'),
        },
      },
    },
    async (request) => {
      const { limit, cursor, email, verified } = request.query
      const page = await users.list(db, {
        limit,
        email,
        cursor: cursor ? decodeCursor(cursor) : undefined,
        verified: verified === undefined ? undefined : verified === 'true',
      })
      const statuses = await deliveries.statusForMany(
        db,
        page.users.map((u) => u.id),
      )
      const suppressed = await suppressions.suppressedAmong(
        db,
        page.users.map((u) => u.email),
      )
      return {
        users: page.users.map((u) => userView(u, statuses.get(u.id) ?? null, suppressed.has(u.email))),
        next_cursor: page.next ? encodeCursor(page.next) : null,
      }
    },
  )

  app.get(
    '/users/:id',
    {
      preHandler: authenticate,
      schema: {
        summary: 'One user (admin, or the user themself)',
        tags: ['users'],
        security: BEARER,
        params: ParamsSchema,
        response: {
          200: UserViewSchema,
          ...errors(...AUTH_ERRORS, 'AUTH_FORBIDDEN', 'NOT_FOUND', 'VALIDATION_ERROR'),
        },
      },
    },
    async (request) => {
      const { id } = request.params
      target(request, id)
      const user = await users.findById(db, id)
      if (!user) throw notFound()
      return viewOf(user)
    },
  )

  app.patch(
    '/users/:id',
    {
      preHandler: authenticate,
      schema: {
        summary: 'Change a user: name and locale; role and verification for admins',
        tags: ['users'],
        security: BEARER,
        params: ParamsSchema,
        body: PatchSchema,
        response: {
          200: UserViewSchema,
          ...errors(...BODY_ERRORS, ...AUTH_ERRORS, 'AUTH_FORBIDDEN', 'NOT_FOUND', 'LAST_ADMIN'),
        },
      },
    },
    async (request) => {
      const { id } = request.params
      const me = target(request, id)
      const patch = request.body
      if (me.role !== 'admin' && (patch.role !== undefined || patch.email_verified !== undefined)) {
        throw new AppError('AUTH_FORBIDDEN', {
          message: 'Only an admin may change the role or the verification',
        })
      }
      const updated = await db.transaction(async (tx) => {
        if (patch.role === 'user') {
          await keepAnAdmin(users, tx, id)
        }
        if (!(await users.update(tx, id, patch))) throw notFound()
        return users.findById(tx, id)
      })
      if (!updated) throw notFound()
      return viewOf(updated)
    },
  )

  app.delete(
    '/users/:id',
    {
      preHandler: [authenticate, requireAdmin],
      schema: {
        summary: 'Delete a user and everything of theirs (admin)',
        tags: ['users'],
        security: BEARER,
        params: ParamsSchema,
        response: {
          204: noContent('Deleted'),
          ...errors(...AUTH_ERRORS, 'AUTH_FORBIDDEN', 'NOT_FOUND', 'LAST_ADMIN', 'VALIDATION_ERROR'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      if (!isUuid(id)) throw notFound()
      await db.transaction(async (tx) => {
        await keepAnAdmin(users, tx, id)
        const user = await users.findById(tx, id, { forUpdate: true })
        if (!user) throw notFound()
        // Everything of the account, as when its owner leaves (DELETE /me), but no farewell mail.
        await accountData.erase(tx, user)
        request.log.info({ adminId: signedIn(request).id, userId: id }, 'account deleted by an admin')
        const data = { email: user.email, reason: 'admin' } as const
        await events.record(tx, { type: 'user.deleted', userId: id, data }, { requestId: request.id })
      })
      relay.kick()
      return reply.code(204).send(null)
    },
  )
}

export default usersAdmin
