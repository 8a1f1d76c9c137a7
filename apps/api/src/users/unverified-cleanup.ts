import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import type { Db } from '../db/driver.ts'
import { events } from '../events/events.ts'
import { runEvery } from '../jobs/every.ts'
import type { LoginThrottle } from '../login-throttle/login-throttle.ts'
import type { MailBudget } from '../mail-budget/mail-budget.ts'
import type { Outbox } from '../outbox/outbox.ts'
import type { Sessions } from '../sessions/sessions.ts'
import type { Suppressions } from '../suppressions/suppressions.ts'
import { HARD_BOUNCE_REASONS } from '../suppressions/suppressions-repository.ts'
import { CODE_FAILURE_WINDOW_SECONDS, codeFailures } from '../verification/code-failures-repository.ts'
import type { Users } from './users-repository.ts'

/** Any constant distinct from the migration lock: one api instance cleans at a time. */
export const CLEANUP_LOCK = 716_003
/** The reminder goes out at 75% of the TTL; deletion then waits at least the remaining 25%. */
export const REMINDER_AT = 0.75
const INTERVAL_MS = 60_000
/** Rows per run, to keep each transaction short; the next run takes the rest. */
const BATCH = 500

export interface CleanupDeps {
  db: Db
  users: Users
  outbox: Outbox
  sessions: Pick<Sessions, 'pruneExpired'>
  loginThrottle: Pick<LoginThrottle, 'prune'>
  mailBudget: Pick<MailBudget, 'prune'>
  suppressions: Pick<Suppressions, 'prune'>
  ttlSeconds: number
  now: () => number
}

export interface CleanupResult {
  /** False when another instance held the lock and this run did nothing. */
  ran: boolean
  reminded: number
  deleted: number
}

/**
 * One pass: remind accounts unconfirmed for 75% of UNVERIFIED_ACCOUNT_TTL
 * (recorded, so once), delete those past the TTL whose reminder has been out
 * for at least the last 25% (an account un-verified late, or an instance that
 * was down, still gets its warning first), and prune dead sessions, throttle
 * rows, past mail budgets, code-failure windows and old soft bounces.
 * Unconfirmed accounts whose address hard-bounced are deleted at once.
 * Everything under a transaction-level advisory lock: it works on PGlite's
 * single connection as on PostgreSQL, and is released on commit.
 */
export async function runCleanupOnce(deps: CleanupDeps): Promise<CleanupResult> {
  const { db, users, outbox, sessions, loginThrottle, mailBudget, suppressions, ttlSeconds, now } = deps
  const rule = { at: new Date(now()).toISOString(), ttlSeconds, reminderAt: REMINDER_AT, batch: BATCH }
  return db.transaction(async (tx) => {
    const { rows: lock } = await tx.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [CLEANUP_LOCK],
    )
    if (!lock[0]?.locked) return { ran: false, reminded: 0, deleted: 0 }

    const reminded = await users.markReminded(tx, rule)
    for (const user of reminded) {
      await outbox.add(tx, {
        id: randomUUID(),
        type: 'unverified_reminder',
        email: user.email,
        locale: user.locale,
        userId: user.id,
        credentialVersion: user.credential_version,
        deleteAt: new Date(user.delete_at).toISOString(),
        // Always a set-password link: a confirmation link would keep a password the mailbox owner
        // may never have chosen (someone else registered the address; docs/security.md).
        linkPurpose: 'set_password',
      })
    }
    const deleted = await users.deleteUnverified(tx, rule)
    // A hard-bounced address will never see its confirmation: its unconfirmed account goes now.
    const bounced = await users.deleteUnverifiedSuppressed(tx, rule.at, HARD_BOUNCE_REASONS, BATCH)
    for (const gone of [...deleted, ...bounced]) {
      const data = { email: gone.email, reason: 'unverified' } as const
      await events.record(tx, { type: 'user.deleted', userId: gone.id, data })
    }
    await sessions.pruneExpired(tx)
    await loginThrottle.prune(tx)
    await mailBudget.prune(tx)
    await suppressions.prune(tx)
    await codeFailures.prune(tx, new Date(now()), CODE_FAILURE_WINDOW_SECONDS)
    return { ran: true, reminded: reminded.length, deleted: deleted.length + bounced.length }
  })
}

declare module 'fastify' {
  interface FastifyInstance {
    unverifiedCleanup: { runOnce(): Promise<CleanupResult> }
  }
}

/** Runs the cleanup every minute on every instance; the lock makes all but one skip. */
export default fp(
  async (app) => {
    const { db, users, outbox, sessions, loginThrottle, mailBudget, suppressions, relay, env, now } = app
    const log = app.log.child({ component: 'unverified-cleanup' })
    const runOnce = async () => {
      const ttlSeconds = env.UNVERIFIED_ACCOUNT_TTL
      const result = await runCleanupOnce({
        db,
        users,
        outbox,
        sessions,
        loginThrottle,
        mailBudget,
        suppressions,
        ttlSeconds,
        now,
      })
      if (result.reminded > 0) relay.kick()
      if (result.reminded + result.deleted > 0) log.info(result, 'unverified accounts reminded or deleted')
      return result
    }
    app.decorate('unverifiedCleanup', { runOnce })

    runEvery(app, INTERVAL_MS, runOnce, log, 'unverified cleanup')
  },
  {
    name: 'unverified-cleanup',
    dependencies: [
      'env',
      'db',
      'users',
      'outbox',
      'sessions',
      'login-throttle',
      'mail-budget',
      'suppressions',
    ],
  },
)
