import { LocaleSchema } from '@authmail/contracts'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AUTH_ERRORS, BEARER, BODY_ERRORS, errors, UserViewSchema } from '../openapi/schemas.ts'
import { DisplayNameSchema, signedIn, userView } from '../users/user-view.ts'

export const ProfilePatchSchema = z.object({
  display_name: DisplayNameSchema.optional(),
  locale: LocaleSchema.optional(),
})

/** GET /me and PATCH /me: the signed-in user's own profile, with the state of their e-mail verification. */
const me: FastifyPluginAsyncZod = async (app) => {
  const { db, users, deliveries, suppressions, authenticate, authenticateUnconfirmed } = app

  // An unconfirmed account's limited session may read its status (was the mail sent, when can it resend).
  app.get(
    '/me',
    {
      preHandler: authenticateUnconfirmed,
      schema: {
        summary: 'The signed-in user, with the state of the e-mail verification',
        tags: ['account'],
        security: BEARER,
        response: { 200: UserViewSchema, ...errors(...AUTH_ERRORS) },
      },
    },
    async (request) => {
      const user = signedIn(request)
      return userView(
        user,
        await deliveries.statusFor(db, user.id),
        await suppressions.isSuppressed(db, user.email),
      )
    },
  )

  app.patch(
    '/me',
    {
      preHandler: authenticate,
      schema: {
        summary: 'Change the display name or locale',
        tags: ['account'],
        security: BEARER,
        body: ProfilePatchSchema,
        response: { 200: UserViewSchema, ...errors(...BODY_ERRORS, ...AUTH_ERRORS) },
      },
    },
    async (request) => {
      const { id } = signedIn(request)
      const updated = await db.transaction(async (tx) => {
        await users.update(tx, id, request.body)
        return users.findById(tx, id)
      })
      // authenticate found the user a moment ago; only a concurrent delete can make it vanish.
      const user = updated ?? signedIn(request)
      return userView(
        user,
        await deliveries.statusFor(db, id),
        await suppressions.isSuppressed(db, user.email),
      )
    },
  )
}

export default me
