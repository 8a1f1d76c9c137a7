import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import type { Env } from '../env.ts'
import { AppError } from '../errors.ts'

/** Per-IP limits, off by default: only the routes that send mail or check passwords opt in. */
export async function registerRateLimit(app: FastifyInstance) {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', { details: { retry_after_seconds: Math.ceil(context.ttl / 1000) } }),
  })
}

/** Per-IP limit of the routes that send mail or check passwords (per-address limits live in the database). */
export const ipRateLimit = (env: Env) => ({ max: env.IP_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 })
