import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'
import { type Sql, sql } from '../db/sql.ts'
import { mailsDropped } from '../metrics.ts'

export interface MailBudgetLimits {
  perMinute: number
  perDomainPerMinute: number
}

/** A slot a budget gave: its scope and minute. */
export interface BudgetSlot {
  scope: string
  minute: string
}

const ALL = '*'

/** The budget of the recipient's domain. */
const domainScope = (email: string) => `@${email.slice(email.lastIndexOf('@') + 1).toLowerCase()}`

/**
 * Caps on the mails that anyone can make the api send (confirmations, resets,
 * "you already have an account", "no account here"), per minute in all and
 * per recipient domain, in the database so every instance shares them. Past a
 * cap the request answers as always and the mail is dropped, logged and
 * counted: a flood cannot burn the sender's reputation with one mailbox
 * provider, nor with all of them.
 */
export function createMailBudget(limits: MailBudgetLimits, now: () => number) {
  /**
   * Takes one mail to `email` from this minute's budgets when `when` holds, as the body of a
   * CTE; returns the budgets that gave a slot, for {@link settle}. A full budget is not counted further.
   */
  const admitStep = (email: string, when: Sql): Sql => {
    const minute = new Date(Math.floor(now() / 60_000) * 60_000).toISOString()
    return sql`INSERT INTO mail_budgets AS b (scope, minute, queued)
      SELECT scope, ${minute}::timestamptz, 1 FROM (VALUES (${ALL}::text), (${domainScope(email)}::text)) AS s (scope)
       WHERE ${when}
      ON CONFLICT (scope, minute) DO UPDATE SET queued = b.queued + 1
       WHERE b.queued < CASE WHEN b.scope = ${ALL} THEN ${limits.perMinute}::int ELSE ${limits.perDomainPerMinute}::int END
      RETURNING scope, minute::text AS minute`
  }

  /**
   * A mail takes a slot of both budgets or of neither: true when both gave one. Otherwise the
   * slot one budget gave goes back (a flood on one domain must not spend the global budget, nor
   * a spent global budget the domain's), and the drop is logged and counted.
   */
  const settle = async (
    q: Queryable,
    email: string,
    taken: readonly BudgetSlot[],
    log: FastifyBaseLogger,
  ) => {
    if (taken.length === 2) return true
    for (const { scope, minute } of taken) {
      await q.query(
        'UPDATE mail_budgets SET queued = queued - 1 WHERE scope = $1 AND minute = $2::timestamptz',
        [scope, minute],
      )
    }
    const reason = taken.some((slot) => slot.scope === ALL) ? 'domain_budget' : 'global_budget'
    mailsDropped.inc({ reason })
    log.warn(
      { reason, domain: domainScope(email).slice(1) },
      'mail dropped: the mail budget of this minute is spent',
    )
    return false
  }

  return {
    admitStep,
    settle,

    /** Takes one mail to `email` from this minute's budgets, in the caller's transaction; false: drop it. */
    async admit(tx: Queryable, email: string, log: FastifyBaseLogger): Promise<boolean> {
      const { text, values } = admitStep(email, sql`true`).render()
      const { rows } = await tx.query<BudgetSlot>(text, values)
      return settle(tx, email, rows, log)
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
