import type { FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'

export interface ThrottlePolicy {
  /** Attempts allowed back to back before the pauses start. */
  freeAttempts: number
  /** The first pause; each further attempt doubles it, up to `maxDelaySeconds`. */
  baseDelaySeconds: number
  maxDelaySeconds: number
  /** After this long without an attempt the count starts over. */
  forgetAfterSeconds: number
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  freeAttempts: 5,
  baseDelaySeconds: 30,
  maxDelaySeconds: 900,
  forgetAfterSeconds: 3600,
}

export type AttemptResult = { allowed: true } | { allowed: false; waitSeconds: number }

/**
 * Per-address slow-down of password guessing, in the database so that every
 * api instance shares it. An attempt is counted *before* the password is
 * checked (a single upsert, so parallel guesses cannot slip past the count)
 * and a correct password clears it. Addresses without an account are counted
 * the same way, so a 429 says nothing about whether an account exists.
 * Pauses are capped: an attacker can delay the owner, never lock them out for long.
 */
export function createLoginThrottle(now: () => number, policy: ThrottlePolicy = DEFAULT_THROTTLE) {
  const at = () => new Date(now()).toISOString()

  const throttle = {
    /** Counts one attempt if the address is not paused; otherwise says how long to wait. */
    async attempt(q: Queryable, email: string): Promise<AttemptResult> {
      // Computed from the conflicting row itself (not a snapshot), so concurrent attempts each count.
      const next = `CASE WHEN t.last_attempt_at <= $2::timestamptz - make_interval(secs => $6)
                         THEN 1 ELSE t.attempts + 1 END`
      const { rows } = await q.query<{ attempts: number }>(
        `INSERT INTO login_throttle AS t (email, attempts, last_attempt_at) VALUES (lower($1), 1, $2::timestamptz)
         ON CONFLICT (email) DO UPDATE SET
           attempts = ${next},
           last_attempt_at = excluded.last_attempt_at,
           locked_until = CASE WHEN ${next} >= $3
             THEN $2::timestamptz + make_interval(secs => least($5, $4 * power(2, ${next} - $3)))
             END
         WHERE t.locked_until IS NULL OR t.locked_until <= $2::timestamptz
         RETURNING t.attempts`,
        [
          email,
          at(),
          policy.freeAttempts,
          policy.baseDelaySeconds,
          policy.maxDelaySeconds,
          policy.forgetAfterSeconds,
        ],
      )
      if (rows[0]) return { allowed: true }
      const { rows: paused } = await q.query<{ wait: number }>(
        `SELECT ceil(extract(epoch FROM locked_until - $2::timestamptz))::int AS wait
           FROM login_throttle WHERE email = lower($1)`,
        [email, at()],
      )
      return { allowed: false, waitSeconds: Math.max(1, paused[0]?.wait ?? 1) }
    },

    /**
     * Counts one password check for `email`, or refuses it with 429 and
     * Retry-After while the address is paused (sign-in and password change alike).
     */
    async guard(q: Queryable, email: string, reply: FastifyReply): Promise<void> {
      const slot = await throttle.attempt(q, email)
      if (slot.allowed) return
      reply.header('retry-after', String(slot.waitSeconds))
      throw new AppError('AUTH_TOO_MANY_ATTEMPTS', { details: { retry_after_seconds: slot.waitSeconds } })
    },

    /** The password was right: the count starts over. */
    async clear(q: Queryable, email: string): Promise<void> {
      await q.query('DELETE FROM login_throttle WHERE email = lower($1)', [email])
    },

    /** Forgets addresses idle for a day and no longer paused (the cleanup's job). */
    async prune(q: Queryable): Promise<void> {
      await q.query(
        `DELETE FROM login_throttle WHERE last_attempt_at <= $1::timestamptz - interval '1 day'
            AND (locked_until IS NULL OR locked_until <= $1::timestamptz)`,
        [at()],
      )
    },
  }
  return throttle
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>

declare module 'fastify' {
  interface FastifyInstance {
    loginThrottle: LoginThrottle
  }
}

export default fp(
  async (app) => {
    app.decorate('loginThrottle', createLoginThrottle(app.now))
  },
  { name: 'login-throttle', dependencies: ['env'] },
)
