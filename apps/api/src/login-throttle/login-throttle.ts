import { setTimeout as sleep } from 'node:timers/promises'
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
  /** Per address (every client): attempts without delay, then a delay doubling from `baseSlowMs` up to `maxSlowMs`. */
  addressFreeAttempts: number
  baseSlowMs: number
  maxSlowMs: number
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  freeAttempts: 5,
  baseDelaySeconds: 30,
  maxDelaySeconds: 900,
  forgetAfterSeconds: 3600,
  addressFreeAttempts: 5,
  baseSlowMs: 250,
  maxSlowMs: 2000,
}

/** The pause before checking a password of an address with `attempts` recent attempts: small and bounded. */
export function slowDownMs(attempts: number, policy: ThrottlePolicy = DEFAULT_THROTTLE): number {
  if (attempts <= policy.addressFreeAttempts) return 0
  return Math.min(policy.maxSlowMs, policy.baseSlowMs * 2 ** (attempts - policy.addressFreeAttempts - 1))
}

export type AttemptResult = { allowed: true } | { allowed: false; waitSeconds: number }

/**
 * Password guessing, in the database so that every api instance shares it
 * (OWASP Authentication cheat sheet). Two counts:
 * - per (address, client IP): after `freeAttempts` the pair is locked, with
 *   pauses doubling up to `maxDelaySeconds`; the right password is refused
 *   too, but only for that client;
 * - per address, from every client: only a small, bounded delay before the
 *   check, so an attacker who knows an address cannot lock its owner out.
 * Attempts are counted *before* the password is checked (single upserts, so
 * parallel guesses cannot slip past), a correct password clears both counts of
 * its client, and a successful reset or password change clears every count of
 * the address. Unknown addresses are counted alike, so a 429 reveals nothing.
 */
export function createLoginThrottle(now: () => number, policy: ThrottlePolicy = DEFAULT_THROTTLE) {
  const at = () => new Date(now()).toISOString()

  const throttle = {
    /** Counts one attempt of the client at the address, if that pair is not paused; otherwise says how long to wait. */
    async attempt(q: Queryable, email: string, client: string): Promise<AttemptResult> {
      // Computed from the conflicting row itself (not a snapshot), so concurrent attempts each count.
      const next = `CASE WHEN t.last_attempt_at <= $2::timestamptz - make_interval(secs => $6)
                         THEN 1 ELSE t.attempts + 1 END`
      const { rows } = await q.query<{ attempts: number }>(
        `INSERT INTO login_throttle AS t (email, client, attempts, last_attempt_at)
         VALUES (lower($1), $7, 1, $2::timestamptz)
         ON CONFLICT (email, client) DO UPDATE SET
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
          client,
        ],
        { name: 'login-throttle-attempt' },
      )
      if (rows[0]) return { allowed: true }
      const { rows: paused } = await q.query<{ wait: number }>(
        `SELECT ceil(extract(epoch FROM locked_until - $2::timestamptz))::int AS wait
           FROM login_throttle WHERE email = lower($1) AND client = $3`,
        [email, at(), client],
      )
      return { allowed: false, waitSeconds: Math.max(1, paused[0]?.wait ?? 1) }
    },

    /** Counts one attempt at the address from any client; returns the count of the current window. */
    async countAddress(q: Queryable, email: string): Promise<number> {
      const { rows } = await q.query<{ attempts: number }>(
        `INSERT INTO login_throttle AS t (email, client, attempts, last_attempt_at) VALUES (lower($1), '', 1, $2::timestamptz)
         ON CONFLICT (email, client) DO UPDATE SET
           attempts = CASE WHEN t.last_attempt_at <= $2::timestamptz - make_interval(secs => $3)
                           THEN 1 ELSE t.attempts + 1 END,
           last_attempt_at = excluded.last_attempt_at
         RETURNING t.attempts`,
        [email, at(), policy.forgetAfterSeconds],
        { name: 'login-throttle-count-address' },
      )
      return rows[0]?.attempts ?? 1
    },

    /**
     * Counts one password check of `client` for `email`: refuses it with 429
     * and Retry-After while that client is locked out of the address, and
     * otherwise waits the address's small slow-down (sign-in and password change alike).
     */
    async guard(q: Queryable, email: string, client: string, reply: FastifyReply): Promise<void> {
      const slot = await throttle.attempt(q, email, client)
      if (!slot.allowed) {
        reply.header('retry-after', String(slot.waitSeconds))
        throw new AppError('AUTH_TOO_MANY_ATTEMPTS', { details: { retry_after_seconds: slot.waitSeconds } })
      }
      const delay = slowDownMs(await throttle.countAddress(q, email), policy)
      if (delay > 0) await sleep(delay)
    },

    /** The client gave the right password: its count and the address's start over. */
    async clear(q: Queryable, email: string, client: string): Promise<void> {
      await q.query(
        `DELETE FROM login_throttle WHERE email = lower($1) AND client IN ($2, '')`,
        [email, client],
        { name: 'login-throttle-clear' },
      )
    },

    /** A reset or a password change succeeded: every client's count at the address starts over. */
    async clearAddress(q: Queryable, email: string): Promise<void> {
      await q.query('DELETE FROM login_throttle WHERE email = lower($1)', [email])
    },

    /** The address's count over every client (the owner's data export; clients' addresses stay out). */
    async addressCount(
      q: Queryable,
      email: string,
    ): Promise<{ attempts: number; last_attempt_at: Date } | null> {
      const { rows } = await q.query<{ attempts: number; last_attempt_at: Date }>(
        `SELECT attempts, last_attempt_at FROM login_throttle WHERE email = lower($1) AND client = ''`,
        [email],
      )
      return rows[0] ?? null
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
