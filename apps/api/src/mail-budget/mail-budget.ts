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

  /**
   * PostgreSQL, for a request that would otherwise hold the budget rows across its own
   * transaction: takes one mail to `email` from this minute's budgets in a statement of its
   * own, never inside a transaction, and returns the slots taken. Every registration updates
   * the same two rows; taken inside the registration statement their row locks lasted until
   * that statement's commit had waited for its WAL flush, so concurrent registrations queued
   * on them one flush at a time (docs/performance.md, third pass). This statement commits
   * without waiting for the flush: its WAL record is flushed with the next synchronous commit
   * (the registration that follows), so a slot a queued mail used is never lost by a crash;
   * only a slot whose registration never committed can be, and it was unused.
   * The caller gives back with {@link giveBack} the slots it did not use.
   */
  const reserve = async (q: Queryable, email: string): Promise<BudgetSlot[]> => {
    const minute = new Date(Math.floor(now() / 60_000) * 60_000).toISOString()
    const { rows } = await q.query<BudgetSlot>(
      `INSERT INTO mail_budgets AS b (scope, minute, queued)
       SELECT scope, $1::timestamptz, 1
         FROM (VALUES ($2::text), ($3::text)) AS s (scope),
              (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
       ON CONFLICT (scope, minute) DO UPDATE SET queued = b.queued + 1
        WHERE b.queued < CASE WHEN b.scope = $2 THEN $4::int ELSE $5::int END
       RETURNING scope, minute::text AS minute`,
      [minute, ALL, domainScope(email), limits.perMinute, limits.perDomainPerMinute],
      { name: 'mail-budget-reserve' },
    )
    return rows
  }

  /** Returns slots {@link reserve} took, in a statement of its own committed like it. */
  const giveBack = async (q: Queryable, slots: readonly BudgetSlot[]): Promise<void> => {
    if (slots.length === 0) return
    await q.query(
      `UPDATE mail_budgets AS b SET queued = b.queued - 1
         FROM jsonb_to_recordset($1::jsonb) AS s (scope text, minute timestamptz),
              (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
        WHERE b.scope = s.scope AND b.minute = s.minute`,
      [JSON.stringify(slots)],
      { name: 'mail-budget-give-back' },
    )
  }

  /**
   * The slots {@link reserve} took, as the body of a CTE in place of {@link admitStep}: the
   * statement's `budget` rows, when `when` holds (the text is the same whatever was taken).
   */
  const reservedStep = (slots: readonly BudgetSlot[], when: Sql): Sql =>
    sql`SELECT scope, minute FROM jsonb_to_recordset(${JSON.stringify(slots)}::jsonb) AS s (scope text, minute text)
       WHERE ${when}`

  return {
    admitStep,
    settle,
    reserve,
    giveBack,
    reservedStep,

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
