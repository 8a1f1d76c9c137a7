import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'
import { mailsDropped } from '../metrics.ts'

export interface MailBudgetLimits {
  perMinute: number
  perDomainPerMinute: number
}

const ALL = '*'

/**
 * Caps on the mails that anyone can make the api send (confirmations, resets,
 * "you already have an account", "no account here"), per minute in all and
 * per recipient domain, in the database so every instance shares them. Past a
 * cap the request answers as always and the mail is dropped, logged and
 * counted: a flood cannot burn the sender's reputation with one mailbox
 * provider, nor with all of them.
 */
export function createMailBudget(limits: MailBudgetLimits, now: () => number) {
  return {
    /** Takes one mail to `email` from this minute's budgets, in the caller's transaction; false: drop it. */
    async admit(tx: Queryable, email: string, log: FastifyBaseLogger): Promise<boolean> {
      const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase()
      const minute = new Date(Math.floor(now() / 60_000) * 60_000).toISOString()
      // A full budget is not counted further; a mail takes a slot of both budgets or of neither.
      const { rows } = await tx.query<{ scope: string }>(
        `INSERT INTO mail_budgets AS b (scope, minute, queued) VALUES ($1, $3::timestamptz, 1), ($2, $3::timestamptz, 1)
         ON CONFLICT (scope, minute) DO UPDATE SET queued = b.queued + 1
          WHERE b.queued < CASE WHEN b.scope = $1 THEN $4::int ELSE $5::int END
         RETURNING scope`,
        [ALL, `@${domain}`, minute, limits.perMinute, limits.perDomainPerMinute],
      )
      const taken = new Set(rows.map((row) => row.scope))
      if (taken.size === 2) return true
      // The slot one budget gave to a mail the other refused goes back: a flood on one domain
      // must not spend the global budget (nor a spent global budget the domain's).
      for (const scope of taken) {
        await tx.query(
          'UPDATE mail_budgets SET queued = queued - 1 WHERE scope = $1 AND minute = $2::timestamptz',
          [scope, minute],
        )
      }
      const reason = taken.has(ALL) ? 'domain_budget' : 'global_budget'
      mailsDropped.inc({ reason })
      log.warn({ reason, domain }, 'mail dropped: the mail budget of this minute is spent')
      return false
    },

    /** Forgets minutes older than an hour (the cleanup's job). */
    async prune(q: Queryable): Promise<void> {
      await q.query(`DELETE FROM mail_budgets WHERE minute < $1::timestamptz - interval '1 hour'`, [
        new Date(now()).toISOString(),
      ])
    },
  }
}

export type MailBudget = ReturnType<typeof createMailBudget>

declare module 'fastify' {
  interface FastifyInstance {
    mailBudget: MailBudget
  }
}

export default fp(
  async (app) => {
    const { env, now } = app
    const limits = {
      perMinute: env.MAIL_BUDGET_PER_MINUTE,
      perDomainPerMinute: env.MAIL_BUDGET_PER_DOMAIN_PER_MINUTE,
    }
    app.decorate('mailBudget', createMailBudget(limits, now))
  },
  { name: 'mail-budget', dependencies: ['env'] },
)
