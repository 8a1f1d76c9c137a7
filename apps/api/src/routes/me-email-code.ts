import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { isAddressTaken } from '../email-change/email-change.ts'
import { emailChanges } from '../email-change/email-changes-repository.ts'
import { AppError } from '../errors.ts'
import { AUTH_ERRORS, BEARER, BODY_ERRORS, errors } from '../openapi/schemas.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { MAX_CODE_ATTEMPTS } from './verify-email-code.ts'

const BodySchema = z.object({
  code: z
    .string({ error: 'Enter the 6-digit code' })
    .trim()
    .regex(/^\d{6}$/, 'Enter the 6-digit code'),
})

/**
 * POST /me/email/code: the signed-in user confirms the newest change of
 * address with the code mailed to the new address. Each try is counted in the
 * transaction that checks it and committed even when it fails.
 */
const meEmailCode: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, relay, emailChange, env } = app

  app.post(
    '/me/email/code',
    {
      preHandler: app.authenticate,
      schema: {
        summary: 'Confirm the change of address with the 6-digit code mailed to the new address',
        tags: ['account'],
        security: BEARER,
        body: BodySchema,
        response: {
          200: z.object({ email: z.string() }).describe('The account now uses the new address'),
          ...errors(
            ...BODY_ERRORS,
            ...AUTH_ERRORS,
            'RATE_LIMITED',
            'AUTH_NO_EMAIL_CHANGE',
            'AUTH_INVALID_CODE',
            'AUTH_CODE_EXPIRED',
            'AUTH_CODE_ATTEMPTS_EXCEEDED',
            'AUTH_TOKEN_USED',
            'AUTH_EMAIL_TAKEN',
          ),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'email-change-code') },
    },
    async (request, reply) => {
      const userId = (request.user as NonNullable<typeof request.user>).id
      const outcome = await db
        .transaction(async (tx): Promise<AppError | { email: string }> => {
          // Locks the account: concurrent tries are counted one after the other.
          const user = await users.findById(tx, userId, { forUpdate: true })
          if (!user) return new AppError('AUTH_INVALID_TOKEN')
          const change = await emailChanges.latestPending(tx, user.id)
          if (!change) return new AppError('AUTH_NO_EMAIL_CHANGE')
          if (new Date(change.expires_at).getTime() <= app.now()) {
            return new AppError('AUTH_CODE_EXPIRED', {
              message: 'This code has expired; ask for the change again',
            })
          }
          const attempts = await emailChanges.countCodeAttempt(tx, change.id)
          if (attempts > MAX_CODE_ATTEMPTS) {
            return new AppError('AUTH_CODE_ATTEMPTS_EXCEEDED', {
              message: 'Too many wrong codes; ask for the change again',
            })
          }
          if (!tokens.checkCode(change.id, request.body.code)) {
            return new AppError('AUTH_INVALID_CODE', {
              details: { attempts_left: MAX_CODE_ATTEMPTS - attempts },
            })
          }
          const problem = await emailChange.problemOf(tx, user, change)
          if (problem) return problem
          const exp = Math.floor(new Date(change.expires_at).getTime() / 1000)
          return emailChange.confirm(tx, user, change, exp, request.id)
        })
        .catch((error: unknown) => {
          if (isAddressTaken(error)) return new AppError('AUTH_EMAIL_TAKEN')
          throw error
        })
      if (outcome instanceof AppError) throw outcome
      relay.kick()
      return reply.send({ email: outcome.email })
    },
  )
}

export default meEmailCode
