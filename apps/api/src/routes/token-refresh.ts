import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../errors.ts'
import { BODY_ERRORS, errors, TokenPairSchema } from '../openapi/schemas.ts'
import { ipRateLimit } from '../plugins/rate-limit.ts'

export const RefreshBodySchema = z.object({
  refresh_token: z.string({ error: 'Send the refresh token' }).min(1, 'Send the refresh token').max(512),
})

const REFUSALS = {
  invalid: () => new AppError('AUTH_INVALID_TOKEN', { message: 'This refresh token is not valid' }),
  ended: () => new AppError('AUTH_SESSION_EXPIRED'),
  reused: () => new AppError('AUTH_REFRESH_REUSED'),
  unverified: () => new AppError('AUTH_EMAIL_NOT_VERIFIED'),
} as const

/**
 * POST /token/refresh: trades a refresh token for a new pair. The presented
 * token is used up; presenting it again revokes every token of its family.
 * An account that is no longer confirmed (an admin unset it) gets no new tokens,
 * and no session outlives SESSION_MAX_AGE from its login.
 */
const tokenRefresh: FastifyPluginAsyncZod = async (app) => {
  const { db, users, sessions, env } = app

  app.post(
    '/token/refresh',
    {
      schema: {
        summary: 'Trade a refresh token for a new token pair',
        tags: ['sessions'],
        body: RefreshBodySchema,
        response: {
          200: TokenPairSchema,
          ...errors(
            ...BODY_ERRORS,
            'RATE_LIMITED',
            'AUTH_INVALID_TOKEN',
            'AUTH_SESSION_EXPIRED',
            'AUTH_REFRESH_REUSED',
            'AUTH_EMAIL_NOT_VERIFIED',
          ),
        },
      },
      config: { rateLimit: ipRateLimit(env, 'refresh') },
    },
    async (request) => {
      const result = await sessions.refresh(db, request.body.refresh_token, (tx, id) =>
        users.findById(tx, id),
      )
      if (!result.ok) throw REFUSALS[result.reason]()
      return result.pair
    },
  )
}

export default tokenRefresh
