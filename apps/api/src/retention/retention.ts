import fp from 'fastify-plugin'
import type { createCooldowns } from '../cooldowns/cooldowns.ts'
import type { Db, Queryable } from '../db/driver.ts'
import type { Deliveries } from '../deliveries/deliveries.ts'
import { emailChanges } from '../email-change/email-changes-repository.ts'
import { runEvery } from '../jobs/every.ts'
import { usedTokens } from '../link-tokens/used-tokens-repository.ts'
import { outboxRows } from '../outbox/outbox-repository.ts'
import { codeAttempts } from '../verification/code-attempts-repository.ts'

/** Distinct from the migration and unverified-cleanup locks: one instance deletes at a time. */
export const RETENTION_LOCK = 716_004
const INTERVAL_MS = 60_000
/** Rows per statement, each in its own transaction, so no delete holds locks for long. */
export const RETENTION_BATCH = 500
/** Batches per table and run: a large backlog is worked off over a few runs, not in one long pass. */
const MAX_BATCHES = 20

export interface RetentionDeps {
  db: Db
  cooldowns: Pick<ReturnType<typeof createCooldowns>, 'prune'>
  deliveries: Pick<Deliveries, 'deleteOrphaned'>
  /** OUTBOX_RETENTION: how long published outbox rows (and receipts without an account) are kept. */
  outboxRetentionSeconds: number
  now: () => number
  batch?: number
}

/** Rows deleted per table in one run. */
export interface RetentionResult {
  ran: boolean
  outbox: number
  used_tokens: number
  mail_cooldowns: number
  verification_code_attempts: number
  mail_deliveries: number
  email_changes: number
}

type Delete = (q: Queryable, at: string, limit: number) => Promise<number>

/** How far the clocks of two api instances may disagree before retention could free a row too early. */
const CLOCK_SKEW_MARGIN_SECONDS = 600

/**
 * One pass over every table that only grows: each table's repository deletes
 * what has no use any more, in batches of short transactions under a
 * transaction-level advisory lock (PGlite's single connection works the same).
 * Another instance holding the lock means it is doing this right now.
 */
export async function runRetentionOnce(deps: RetentionDeps): Promise<RetentionResult> {
  const { db, now } = deps
  const batch = deps.batch ?? RETENTION_BATCH
  // Rows whose use ended only just now stay a little longer: an instance whose clock runs behind
  // may still accept the token (or hold the pause) they record.
  const at = new Date(now() - CLOCK_SKEW_MARGIN_SECONDS * 1000).toISOString()
  const keptSince = new Date(now() - deps.outboxRetentionSeconds * 1000).toISOString()
  const jobs: [Exclude<keyof RetentionResult, 'ran'>, Delete, string][] = [
    ['outbox', outboxRows.deletePublished, keptSince],
    ['used_tokens', usedTokens.deleteExpired, at],
    ['mail_cooldowns', deps.cooldowns.prune, at],
    ['verification_code_attempts', codeAttempts.deleteExpired, at],
    ['mail_deliveries', deps.deliveries.deleteOrphaned, keptSince],
    // Kept as long as outbox rows past their own end: a link minted from a late mail may outlive them.
    ['email_changes', emailChanges.deleteSpent, keptSince],
  ]
  const result: RetentionResult = {
    ran: true,
    outbox: 0,
    used_tokens: 0,
    mail_cooldowns: 0,
    verification_code_attempts: 0,
    mail_deliveries: 0,
    email_changes: 0,
  }
  for (const [table, remove, before] of jobs) {
    for (let i = 0; i < MAX_BATCHES; i++) {
      const deleted = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_xact_lock($1) AS locked',
          [RETENTION_LOCK],
        )
        return rows[0]?.locked ? remove(tx, before, batch) : null
      })
      if (deleted === null) return { ...result, ran: false }
      result[table] += deleted
      if (deleted < batch) break
    }
  }
  return result
}

declare module 'fastify' {
  interface FastifyInstance {
    retention: { runOnce(): Promise<RetentionResult> }
  }
}

/** Runs the retention pass every minute on every instance; the lock makes the others skip. */
export default fp(
  async (app) => {
    const { db, cooldowns, deliveries, env, now } = app
    const log = app.log.child({ component: 'retention' })
    const runOnce = async () => {
      const result = await runRetentionOnce({
        db,
        cooldowns,
        deliveries,
        outboxRetentionSeconds: env.OUTBOX_RETENTION,
        now,
      })
      const { ran, ...deleted } = result
      if (Object.values(deleted).some((n) => n > 0)) log.info(deleted, 'old rows deleted')
      return result
    }
    app.decorate('retention', { runOnce })

    runEvery(app, INTERVAL_MS, runOnce, log, 'retention pass')
  },
  { name: 'retention', dependencies: ['env', 'db', 'cooldowns', 'deliveries'] },
)
