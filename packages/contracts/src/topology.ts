/**
 * Exchange, queue and routing-key names of DESIGN §4. `prefix` keeps test runs
 * (and several deployments sharing one vhost) apart; production leaves it empty.
 */
export function topologyNames(prefix = '', retryDelaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS) {
  const p = prefix
  return {
    exchange: `${p}authmail`,
    jobs: `${p}mail.jobs`,
    jobsRoutingKey: `${p}mail.job`,
    dead: `${p}mail.jobs.dead`,
    deadRoutingKey: `${p}mail.dead`,
    receipts: `${p}mail.receipts`,
    receiptsRoutingKey: `${p}mail.receipt`,
    /** Transient failures wait in these, in order, before going back to mail.jobs. */
    retries: retryDelaysMs.map((ttlMs) => ({ name: `${p}mail.jobs.retry.${humanDuration(ttlMs)}`, ttlMs })),
    /** Topic exchange of lifecycle events; the routing key is the event's type (`user.registered`…). */
    events: `${p}authmail.events`,
    /** The worker's webhook deliveries (only with WEBHOOK_URL): bound to `events` with `#`. */
    webhooks: `${p}webhooks`,
    webhooksDead: `${p}webhooks.dead`,
    /** The same tiers as mail: a failed delivery waits in these, in order, before going back to `webhooks`. */
    webhookRetries: retryDelaysMs.map((ttlMs) => ({
      name: `${p}webhooks.retry.${humanDuration(ttlMs)}`,
      ttlMs,
    })),
  }
}

/** DESIGN §4: a job that fails transiently waits 10 s, then 1 min, then 10 min. */
export const DEFAULT_RETRY_DELAYS_MS = [10_000, 60_000, 600_000] as const

/** 10000 → "10s", 60000 → "1m", 500 → "500ms": the suffix of a retry queue's name. */
function humanDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

export type TopologyNames = ReturnType<typeof topologyNames>

/** Header that carries the HTTP request id from the api into the worker's logs. */
export const REQUEST_ID_HEADER = 'x-request-id'
