import type { Env } from '../env.ts'

/** Per-IP limit of the routes that send mail or check passwords (per-address limits live in the database). */
export const ipRateLimit = (env: Env) => ({ max: env.IP_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 })
