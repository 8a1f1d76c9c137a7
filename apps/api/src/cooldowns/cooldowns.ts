import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'
import { type Sql, sql } from '../db/sql.ts'
import { mailboxKey } from '../users/email.ts'

/** Mails that share one cooldown: the confirmation kinds, the recovery kinds, a change of address, and sign-in codes. */
export type CooldownKind = 'verification' | 'recovery' | 'email_change' | 'login'

/** The per-address pauses, as app.cooldowns holds them. */
export type Cooldowns = ReturnType<typeof createCooldowns>

export type CooldownResult = { allowed: true } | { allowed: false; waitSeconds: number }

/**
 * The per-address pause between mails of one kind, kept in the database so
 * every api instance sees it, and kept for addresses with and without an
 * account so it reveals nothing. Keyed by mailbox ({@link mailboxKey}), so
 * `+tag` variants of one address share it.
 */
export function createCooldowns(seconds: number, now: () => number = Date.now) {
  return {
    seconds,
    /**
     * Deletes up to `limit` rows whose pause ended before `at` (the retention
     * job): a missing row and an ended pause both allow the next mail.
     */
    async prune(q: Queryable, at: string, limit: number): Promise<number> {
      const { rowCount } = await q.query(
        `DELETE FROM mail_cooldowns WHERE (email, kind) IN (
           SELECT email, kind FROM mail_cooldowns
            WHERE sent_at <= $1::timestamptz - make_interval(secs => $2) LIMIT $3)`,
        [at, seconds, limit],
      )
      return rowCount
    },
    /** When the last mail of each kind went to the address's mailbox. */
    async listOf(q: Queryable, email: string): Promise<{ kind: string; sent_at: Date }[]> {
      const { rows } = await q.query<{ kind: string; sent_at: Date }>(
        'SELECT kind, sent_at FROM mail_cooldowns WHERE email = lower($1) ORDER BY kind',
        [mailboxKey(email)],
      )
      return rows
    },

    /** Forgets the address's pauses (the account is being deleted). */
    async deleteOf(q: Queryable, email: string): Promise<void> {
      await q.query('DELETE FROM mail_cooldowns WHERE email = lower($1) OR email = lower($2)', [
        mailboxKey(email),
        email,
      ])
    },

    /**
     * The slot-taking part of {@link claim} as the body of a CTE, for a statement that also
     * writes what the mail announces: takes the slot when `when` holds and the pause has
     * passed, and returns one row if it did.
     */
    claimStep(email: string, kind: CooldownKind, when: Sql): Sql {
      const at = new Date(now()).toISOString()
      return sql`INSERT INTO mail_cooldowns (email, kind, sent_at)
        SELECT ${mailboxKey(email)}, ${kind}, ${at}::timestamptz WHERE ${when}
        ON CONFLICT (email, kind) DO UPDATE SET sent_at = EXCLUDED.sent_at
         WHERE mail_cooldowns.sent_at <= EXCLUDED.sent_at - make_interval(secs => ${seconds})
        RETURNING 1`
    },
    /** Takes the slot if the pause has passed (atomically, also under races); otherwise says how long to wait. */
    async claim(q: Queryable, email: string, kind: CooldownKind): Promise<CooldownResult> {
      const { rows } = await q.query<{ wait: number | null }>(
        `WITH claimed AS (
           INSERT INTO mail_cooldowns (email, kind, sent_at) VALUES (lower($1), $2, $4::timestamptz)
           ON CONFLICT (email, kind) DO UPDATE SET sent_at = $4::timestamptz
            WHERE mail_cooldowns.sent_at <= $4::timestamptz - make_interval(secs => $3)
           RETURNING 1)
         SELECT CASE WHEN EXISTS (SELECT 1 FROM claimed) THEN NULL
                -- A row a concurrent request just inserted is not in this snapshot: wait the full pause.
                ELSE coalesce(ceil(extract(epoch FROM sent_at + make_interval(secs => $3) - $4::timestamptz))::int, $3)
                END AS wait
           FROM (SELECT max(sent_at) AS sent_at FROM mail_cooldowns WHERE email = lower($1) AND kind = $2) last`,
        // The app clock, like sessions and the throttle: one time for every rule, and one tests can hold still.
        [mailboxKey(email), kind, seconds, new Date(now()).toISOString()],
      )
      const wait = rows[0]?.wait
      return wait == null ? { allowed: true } : { allowed: false, waitSeconds: Math.max(1, wait) }
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    cooldowns: ReturnType<typeof createCooldowns>
  }
}

export default fp(
  async (app) => {
    app.decorate('cooldowns', createCooldowns(app.env.RESEND_COOLDOWN_SECONDS, app.now))
  },
  {
    name: 'cooldowns',
    dependencies: ['env'],
  },
)
