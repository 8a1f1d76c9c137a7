import type { Db } from '../db/driver.ts'
import { outboxPublished } from '../metrics.ts'
import { type OutboxRow, outboxRows } from './outbox-repository.ts'

interface RelayOptions {
  db: Db
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void }
  publish(row: OutboxRow): Promise<void>
  canPublish(): boolean
  batchSize?: number
  /**
   * Passes run side by side: a row added while one pass waits for confirms or marks its rows is
   * claimed by another at once, so its publish does not wait for that pass's commit.
   */
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
  /** Rows were added since the last claim began (a kick), so another pass has work. */
  let pending = false
  const lanesRunning = new Set<Promise<void>>()

  /**
   * Passes one after another while there is work: a full batch (a backlog) or a kick that came
   * after this pass's claim. A pass that failed ends the lane; the next kick or sweep tries again.
   */
  async function lane(): Promise<void> {
    while (options.canPublish()) {
      // This claim sees every row committed before now, whichever kick announced it.
      pending = false
      const n = await pass().catch((error: unknown) => {
        // Once per outage: while the database is away every sweep fails the same way.
        if (!failing) log.warn({ err: error }, 'outbox relay pass failed; retrying every sweep')
        failing = true
        return -1
      })
      if (n < 0) return
      failing = false
      if (n < batchSize && !pending) return
    }
  }

  function startLane(): void {
    const running: Promise<void> = lane().finally(() => {
      lanesRunning.delete(running)
      // A kick that found every lane busy is served as soon as one is free.
      if (pending) kick()
    })
    lanesRunning.add(running)
  }

  /** Rows were added: a free lane claims them at once, without waiting for a pass under way to finish. */
  function kick(): void {
    pending = true
    if (lanesRunning.size < lanes && options.canPublish()) startLane()
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

  return {
    kick,
    start(): void {
      timer = setInterval(kick, options.sweepMs ?? 1000)
      timer.unref()
      lagTimer = setInterval(() => void watchLag(), options.lagCheckMs ?? 5000)
      lagTimer.unref()
      kick()
    },
    /** Stops the sweep and waits for the passes under way (a last flush on shutdown). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer)
      if (lagTimer) clearInterval(lagTimer)
      timer = null
      lagTimer = null
      kick()
      while (lanesRunning.size > 0) await Promise.all(lanesRunning)
    },
    /** The relay's lag, for readiness. */
    lag,
    published: () => published,
  }
}
