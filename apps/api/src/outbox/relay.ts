import type { Db } from '../db/driver.ts'
import { outboxPublished } from '../metrics.ts'
import { type OutboxRow, outboxRows } from './outbox-repository.ts'

interface RelayOptions {
  db: Db
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void }
  publish(row: OutboxRow): Promise<void>
  canPublish(): boolean
  batchSize?: number
  /** Passes run side by side: one claims and marks in the database while another waits for confirms. */
  lanes?: number
  sweepMs?: number
  /** How long a claim keeps other instances off a row; longer than a publish confirm can take. */
  claimSeconds?: number
  /** A pending row older than this is worth a warning: the sweep normally publishes within a second. */
  lagWarnSeconds?: number
  lagCheckMs?: number
}

/** While the lag lasts, the warning repeats this often rather than on every check. */
const LAG_REPEAT_MS = 60_000

/**
 * Publishes outbox rows with publisher confirms and marks each published only
 * after the broker's ack. Rows are claimed with FOR UPDATE SKIP LOCKED and a
 * lease, so several api instances share the work and a crash mid-publish only
 * delays a row until its lease runs out.
 */
export function createRelay(options: RelayOptions) {
  const { db, log } = options
  // Large enough that a backlog costs few round trips; the confirms of a batch arrive together.
  const batchSize = options.batchSize ?? 500
  const lanes = options.lanes ?? 2
  const claimSeconds = options.claimSeconds ?? 30
  let running: Promise<void> | null = null
  let again = false
  let timer: NodeJS.Timeout | null = null
  let lagTimer: NodeJS.Timeout | null = null
  let published = 0
  let lagWarnedAt = 0

  /** One pass: claim a batch, publish it pipelined, record which the broker confirmed. */
  async function pass(): Promise<number> {
    const rows = await outboxRows.claim(db, batchSize, claimSeconds)
    if (rows.length === 0) return 0
    const results = await Promise.allSettled(rows.map((row) => options.publish(row)))
    const confirmed = rows.filter((_, i) => results[i]?.status === 'fulfilled').map((r) => r.id)
    const failed = rows.filter((_, i) => results[i]?.status === 'rejected').map((r) => r.id)
    if (confirmed.length > 0) {
      await outboxRows.markPublished(db, confirmed)
      published += confirmed.length
      outboxPublished.inc(confirmed.length)
    }
    if (failed.length > 0) {
      await outboxRows.release(db, failed)
      const reason = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
      log.warn({ failed: failed.length, reason: String(reason.reason) }, 'outbox publish failed; will retry')
      return -1
    }
    return confirmed.length
  }

  let failing = false

  /** Passes one after another while full batches come back: a backlog is published without waiting for a sweep. */
  async function lane(): Promise<void> {
    while (options.canPublish()) {
      const n = await pass().catch((error: unknown) => {
        // Once per outage: while the database is away every sweep fails the same way.
        if (!failing) log.warn({ err: error }, 'outbox relay pass failed; retrying every sweep')
        failing = true
        return -1
      })
      if (n >= 0) failing = false
      // A short batch means the table is empty for now: rows added since come with a kick of their own.
      if (n < batchSize) break
    }
  }

  async function drain(): Promise<void> {
    do {
      again = false
      await Promise.all(Array.from({ length: lanes }, lane))
    } while (again && options.canPublish())
  }

  /** Rows waiting and the age of the oldest. */
  const lag = () => outboxRows.lag(db)

  /** Makes a growing backlog (broker away, relay stuck) visible in the logs, and its end too. */
  async function watchLag(): Promise<void> {
    const current = await lag().catch(() => null) // the database being away is logged elsewhere
    if (!current) return
    const lagging = current.oldestSeconds >= (options.lagWarnSeconds ?? 10)
    if (lagging && Date.now() - lagWarnedAt >= LAG_REPEAT_MS) {
      lagWarnedAt = Date.now()
      log.warn(
        { ...current, brokerConnected: options.canPublish() },
        'outbox is lagging: mail jobs and events wait to be published',
      )
    } else if (!lagging && lagWarnedAt > 0) {
      lagWarnedAt = 0
      log.info({ ...current, published }, 'outbox caught up')
    }
  }

  /** Starts a drain now, or makes the running one go round once more. */
  function kick(): void {
    if (running) {
      again = true
      return
    }
    running = drain().finally(() => {
      running = null
    })
  }

  return {
    kick,
    start(): void {
      timer = setInterval(kick, options.sweepMs ?? 1000)
      timer.unref()
      lagTimer = setInterval(() => void watchLag(), options.lagCheckMs ?? 5000)
      lagTimer.unref()
      kick()
    },
    /** Stops the sweep and waits for the drain under way (a last flush on shutdown). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer)
      if (lagTimer) clearInterval(lagTimer)
      timer = null
      lagTimer = null
      kick()
      await running
    },
    /** The relay's lag, for readiness. */
    lag,
    published: () => published,
  }
}
