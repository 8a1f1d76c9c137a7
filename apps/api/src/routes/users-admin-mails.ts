import { LocaleSchema } from '@authmail/contracts'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { AUTH_ERRORS, BEARER, BODY_ERRORS, errors, MessageSchema } from '../openapi/schemas.ts'
import { type AdminRequest, createAdminMails } from '../users/admin-mails.ts'
import { EmailSchema } from '../users/email.ts'
import { isUuid } from '../users/user-cursor.ts'
import { signedIn } from '../users/user-view.ts'

const InviteSchema = z.object({
  email: EmailSchema,
  role: z.enum(['user', 'admin']).default('user'),
  /** The invitation's language and the account's; DEFAULT_LOCALE when left out. */
  locale: LocaleSchema.optional(),
})

const ParamsSchema = z.object({ id: z.string() })

const notFound = () => new AppError('NOT_FOUND', { message: 'There is no user with this id' })

/** Admin only: create an account by invitation, and send one account a reset link or a new confirmation. */
const usersAdminMails: FastifyPluginAsyncZod = async (app) => {
  const { db, users, outbox, relay, cooldowns, mailBudget, env, authenticate, requireAdmin } = app
  const adminMails = createAdminMails({
    users,
    outbox,
    cooldowns,
    mailBudget,
    inviteTtl: env.INVITE_TTL,
    now: app.now,
  })

  const asAdmin = (request: FastifyRequest): AdminRequest => ({
    adminId: signedIn(request).id,
    requestId: request.id,
    log: request.log,
  })

  const mailSchema = (summary: string, ...codes: Parameters<typeof errors>) => ({
    summary,
    tags: ['users'],
    security: BEARER,
    params: ParamsSchema,
    response: {
      202: MessageSchema.describe('The mail is queued'),
      ...errors(...AUTH_ERRORS, 'AUTH_FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED', 'VALIDATION_ERROR', ...codes),
    },
  })

  app.post(
    '/users',
    {
      preHandler: [authenticate, requireAdmin],
      schema: {
        summary: 'Create an account and mail its owner an invitation (admin)',
        tags: ['users'],
        security: BEARER,
        body: InviteSchema,
        response: {
          201: z
            .object({ id: z.string().meta({ format: 'uuid' }) })
            .describe('Created; the invitation is queued'),
          ...errors(...BODY_ERRORS, ...AUTH_ERRORS, 'AUTH_FORBIDDEN', 'EMAIL_TAKEN', 'RATE_LIMITED'),
        },
      },
    },
    async (request, reply) => {
      const { email, role, locale = env.DEFAULT_LOCALE } = request.body
      const user = await db.transaction((tx) =>
        adminMails.invite(tx, { email, role, locale }, asAdmin(request)),
      )
      relay.kick()
      return reply.code(201).send({ id: user.id })
    },
  )

  app.post(
    '/users/:id/send-reset',
    {
      preHandler: [authenticate, requireAdmin],
      schema: mailSchema('Mail the user a password reset link (admin)', 'AUTH_EMAIL_RESEND_COOLDOWN'),
    },
    async (request, reply) => {
      const { id } = request.params
      if (!isUuid(id)) throw notFound()
      await db.transaction(async (tx) => {
        const user = await users.findById(tx, id, { forUpdate: true })
        if (!user) throw notFound()
        await adminMails.sendReset(tx, user, asAdmin(request))
      })
      relay.kick()
      return reply.code(202).send({ message: 'Password reset link sent' })
    },
  )

  app.post(
    '/users/:id/resend-verification',
    {
      preHandler: [authenticate, requireAdmin],
      schema: mailSchema(
        'Mail the user a new confirmation, or a new invitation if they have no password (admin)',
        'AUTH_EMAIL_RESEND_COOLDOWN',
        'AUTH_EMAIL_ALREADY_VERIFIED',
      ),
    },
    async (request, reply) => {
      const { id } = request.params
      if (!isUuid(id)) throw notFound()
      await db.transaction(async (tx) => {
        const user = await users.findById(tx, id, { forUpdate: true })
        if (!user) throw notFound()
        await adminMails.resendVerification(tx, user, asAdmin(request))
      })
      relay.kick()
      return reply.code(202).send({ message: 'Verification email sent' })
    },
  )
}

export default usersAdminMails
