import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { AUTH_ERRORS, BEARER, BODY_ERRORS, errors, MessageEmailSchema } from '../openapi/schemas.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'
import { codeAttempts } from '../verification/code-attempts-repository.ts'
import {
  CODE_FAILURE_WINDOW_SECONDS,
  codeFailures,
  MAX_CODE_FAILURES_PER_ADDRESS,
} from '../verification/code-failures-repository.ts'
import { confirmEmail } from '../verification/verify-email-token.ts'

/** DESIGN §5: a code is 6 digits, so it gets few tries before a new mail is needed. */
export const MAX_CODE_ATTEMPTS = 5

const BodySchema = z.object({
  code: z
    .string({ error: 'Enter the 6-digit code' })
    .trim()
    .regex(/^\d{6}$/, 'Enter the 6-digit code'),
})

/**
 * POST /verify-email/code: the logged-in user confirms the address with the
 * code of the newest verification mail (older mails' codes are replaced, like
 * the "enter the latest code" screens users know). Each try is counted in the
 * same transaction that checks it, and committed even when it fails; wrong
 * codes are also counted per address across every mail (and every
 * re-registration) for a day.
 */
const verifyEmailCode: FastifyPluginAsyncZod = async (app) => {
  const { db, users, tokens, deliveries, relay, env } = app

  app.post(
    '/verify-email/code',
    {
      schema: {
        summary: 'Confirm the address with the 6-digit code from the mail',
        tags: ['registration'],
        security: BEARER,
        body: BodySchema,
        response: {
          200: MessageEmailSchema.describe('Address confirmed'),
          ...errors(
            ...BODY_ERRORS,
            ...AUTH_ERRORS,
            'RATE_LIMITED',
            'AUTH_USER_NOT_FOUND',
            'AUTH_EMAIL_ALREADY_VERIFIED',
            'AUTH_INVALID_CODE',
            'AUTH_CODE_EXPIRED',
            'AUTH_CODE_ATTEMPTS_EXCEEDED',
            'AUTH_TOKEN_USED',
          ),
        },
      },
      preHandler: app.authenticateUnconfirmed,
      config: { rateLimit: ipRateLimit(env, 'verify-email-code') },
    },
    async (request, reply) => {
      const userId = (request.user as NonNullable<typeof request.user>).id
      const outcome = await db.transaction(async (tx): Promise<AppError | { email: string }> => {
        // Locks the account: concurrent tries are counted one after the other.
        const user = await users.findById(tx, userId, { forUpdate: true })
        if (!user) return new AppError('AUTH_USER_NOT_FOUND')
        if (user.email_verified_at)
          return new AppError('AUTH_EMAIL_ALREADY_VERIFIED', { details: { email: user.email } })
        const token = await deliveries.latestVerificationToken(tx, user.id)
        // No mail reported sent yet, or it went to an address the account no longer has.
        if (!token || token.email.toLowerCase() !== user.email.toLowerCase())
          return new AppError('AUTH_INVALID_CODE')
        if (new Date(token.expires_at).getTime() <= app.now()) return new AppError('AUTH_CODE_EXPIRED')
        const at = new Date(app.now())
        const failures = await codeFailures.count(tx, user.email, at, CODE_FAILURE_WINDOW_SECONDS)
        if (failures >= MAX_CODE_FAILURES_PER_ADDRESS) return new AppError('AUTH_CODE_ATTEMPTS_EXCEEDED')
        const attempts = await codeAttempts.count(tx, token, user.id)
        if (attempts > MAX_CODE_ATTEMPTS) return new AppError('AUTH_CODE_ATTEMPTS_EXCEEDED')
        if (!tokens.checkCode(token.token_id, request.body.code)) {
          await codeFailures.record(tx, user.email, at, CODE_FAILURE_WINDOW_SECONDS)
          return new AppError('AUTH_INVALID_CODE', {
            details: { attempts_left: MAX_CODE_ATTEMPTS - attempts },
          })
        }
        const exp = Math.floor(new Date(token.expires_at).getTime() / 1000)
        return confirmEmail(
          users,
          tx,
          user,
          { jti: token.token_id, exp },
          { method: 'code', requestId: request.id },
        )
      })
      if (outcome instanceof AppError) throw outcome
      relay.kick()
      return reply.send({ message: 'Email verified successfully', email: outcome.email })
    },
  )
}

export default verifyEmailCode
