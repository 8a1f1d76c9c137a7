import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import type { Db, Queryable } from '../db/driver.ts'
import type { createOutbox } from '../outbox/outbox.ts'

/** Any constant distinct from the migration lock: one api instance cleans at a time. */
export const CLEANUP_LOCK = 716_003
/** The reminder goes out at 75% of the TTL; deletion then waits at least the remaining 25%. */
export const REMINDER_AT = 0.75
const INTERVAL_MS = 60_000
/** Rows per run, to keep each transaction short; the next run takes the rest. */
const BATCH = 500

export interface CleanupDeps {
  db: Db
  outbox: ReturnType<typeof createOutbox>
  ttlSeconds: number
  now: () => number
}

export interface CleanupResult {
  /** False when another instance held the lock and this run did nothing. */
  ran: boolean
  reminded: number
  deleted: number
}

const UNVERIFIED = `email_verified_at IS NULL AND role <> 'admin'`

/**
 * One pass: remind accounts unconfirmed for 75% of UNVERIFIED_ACCOUNT_TTL
 * (recorded, so once), delete those past the TTL whose reminder has been out
 * for at least the last 25% (an account un-verified late, or an instance that
 * was down, still gets its warning first), and prune dead sessions and
 * throttle rows. Everything under a transaction-level advisory lock: it works
 * on PGlite's single connection as on PostgreSQL, and is released on commit.
 */
export async function runCleanupOnce(deps: CleanupDeps): Promise<CleanupResult> {
  const { db, outbox, ttlSeconds, now } = deps
  const at = new Date(now()).toISOString()
  return db.transaction(async (tx) => {
    const { rows: lock } = await tx.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [CLEANUP_LOCK],
    )
    if (!lock[0]?.locked) return { ran: false, reminded: 0, deleted: 0 }

    const reminded = await remind(tx, outbox, at, ttlSeconds)
    const { rows: gone } = await tx.query<{ id: string }>(
      `DELETE FROM users WHERE id IN (
         SELECT id FROM users WHERE ${UNVERIFIED} AND unverified_reminder_sent_at IS NOT NULL
            AND greatest(created_at + make_interval(secs => $2::float8),
                         unverified_reminder_sent_at + make_interval(secs => $3::float8)) <= $1::timestamptz
          LIMIT ${BATCH})
       RETURNING id`,
      [at, ttlSeconds, ttlSeconds * (1 - REMINDER_AT)],
    )
    // Refresh tokens and deliveries go by cascade; used link tokens have no foreign key.
    if (gone.length > 0)
      await tx.query('DELETE FROM used_tokens WHERE user_id = ANY($1::uuid[])', [gone.map((r) => r.id)])
    await tx.query(`DELETE FROM refresh_tokens WHERE expires_at <= $1::timestamptz`, [at])
    await tx.query(
      `DELETE FROM login_throttle WHERE last_attempt_at <= $1::timestamptz - interval '1 day'
          AND (locked_until IS NULL OR locked_until <= $1::timestamptz)`,
      [at],
    )
    return { ran: true, reminded, deleted: gone.length }
  })
}

async function remind(tx: Queryable, outbox: CleanupDeps['outbox'], at: string, ttlSeconds: number) {
  const { rows } = await tx.query<{
    id: string
    email: string
    locale: 'en' | 'ru'
    credential_version: number
    delete_at: Date
    has_password: boolean
  }>(
    `UPDATE users SET unverified_reminder_sent_at = $1::timestamptz WHERE id IN (
       SELECT id FROM users WHERE ${UNVERIFIED} AND unverified_reminder_sent_at IS NULL
          AND created_at <= $1::timestamptz - make_interval(secs => $2::float8)
        ORDER BY created_at LIMIT ${BATCH})
     RETURNING id, email, locale, credential_version, password_hash IS NOT NULL AS has_password,
       greatest(created_at + make_interval(secs => $3::float8), $1::timestamptz + make_interval(secs => $4::float8)) AS delete_at`,
    [at, ttlSeconds * REMINDER_AT, ttlSeconds, ttlSeconds * (1 - REMINDER_AT)],
  )
  for (const user of rows) {
    await outbox.add(tx, {
      id: randomUUID(),
      type: 'unverified_reminder',
      email: user.email,
      locale: user.locale,
      userId: user.id,
      credentialVersion: user.credential_version,
      deleteAt: new Date(user.delete_at).toISOString(),
      linkPurpose: user.has_password ? 'verify_email' : 'set_password',
    })
  }
  return rows.length
}

declare module 'fastify' {
  interface FastifyInstance {
    unverifiedCleanup: { runOnce(): Promise<CleanupResult> }
  }
}

/** Runs the cleanup every minute on every instance; the lock makes all but one skip. */
export default fp(
  async (app) => {
    const { db, outbox, relay, env, now } = app
    const log = app.log.child({ component: 'unverified-cleanup' })
    const runOnce = async () => {
      const result = await runCleanupOnce({ db, outbox, ttlSeconds: env.UNVERIFIED_ACCOUNT_TTL, now })
      if (result.reminded > 0) relay.kick()
      if (result.reminded + result.deleted > 0) log.info(result, 'unverified accounts reminded or deleted')
      return result
    }
    app.decorate('unverifiedCleanup', { runOnce })

    let timer: NodeJS.Timeout | undefined
    let running: Promise<unknown> = Promise.resolve()
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        running = runOnce().catch((err) => log.error({ err }, 'unverified cleanup failed'))
      }, INTERVAL_MS)
      timer.unref()
    })
    // Before the database closes: stop the timer and let a pass in progress finish.
    app.addHook('onClose', async () => {
      clearInterval(timer)
      await running
    })
  },
  { name: 'unverified-cleanup', dependencies: ['env', 'db', 'outbox'] },
)
