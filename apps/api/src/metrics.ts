import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/**
 * The api's metrics: name, labels and help as in the shared catalogue
 * (`METRICS` of @authmail/contracts), so each definition below can take its
 * spec from there instead of from this list.
 */
const API_METRICS = {
  authmail_http_request_duration_seconds: {
    labels: ['route', 'method', 'status'],
    help: 'HTTP requests by route pattern, method and status code',
  },
  authmail_outbox_pending: { labels: [], help: 'Outbox rows not yet published to RabbitMQ' },
  authmail_outbox_oldest_seconds: {
    labels: [],
    help: 'Age of the oldest unpublished outbox row (0 when none)',
  },
  authmail_outbox_published_total: { labels: [], help: 'Outbox rows published and confirmed by RabbitMQ' },
  authmail_receipts_recorded_total: {
    labels: ['status'],
    help: 'Delivery receipts from the worker recorded, by status (sent, failed)',
  },
  authmail_mails_queued_total: { labels: ['kind'], help: 'Mail jobs written to the outbox, by kind' },
  authmail_login_attempts_total: { labels: ['result'], help: 'Password logins by result' },
  authmail_rate_limited_total: { labels: ['route'], help: 'Requests refused with 429 by route pattern' },
} as const satisfies Record<string, { labels: readonly string[]; help: string }>

type Spec = { labels: readonly string[]; help: string }

/** prom-client's configuration of one catalogue entry. */
function spec<N extends string, L extends string>(name: N, entry: Spec & { labels: readonly L[] }) {
  return { name, help: entry.help, labelNames: entry.labels as readonly L[], registers: [register] }
}

/** One registry per process; tests building several apps share it, so metrics are created once. */
export const register = new Registry()
collectDefaultMetrics({ register })

/** Label of requests no route matched: one value, never the raw URL (which would grow without bound). */
export const UNMATCHED_ROUTE = 'unmatched'

export const httpRequestDuration = new Histogram({
  ...spec('authmail_http_request_duration_seconds', API_METRICS.authmail_http_request_duration_seconds),
  // Argon2 hashing puts register/login near 50–100 ms; most other routes answer in a few ms.
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
})

/** Set at scrape time from the outbox itself (one query on the partial index of unpublished rows). */
export const outboxPending = new Gauge(spec('authmail_outbox_pending', API_METRICS.authmail_outbox_pending))
export const outboxOldestSeconds = new Gauge(
  spec('authmail_outbox_oldest_seconds', API_METRICS.authmail_outbox_oldest_seconds),
)

export const outboxPublished = new Counter(
  spec('authmail_outbox_published_total', API_METRICS.authmail_outbox_published_total),
)

export const receiptsRecorded = new Counter(
  spec('authmail_receipts_recorded_total', API_METRICS.authmail_receipts_recorded_total),
)

/** Counted when the row is added; a transaction that then rolls back has counted it too. */
export const mailsQueued = new Counter(
  spec('authmail_mails_queued_total', API_METRICS.authmail_mails_queued_total),
)

export const loginAttempts = new Counter(
  spec('authmail_login_attempts_total', API_METRICS.authmail_login_attempts_total),
)

/** Every 429, whoever answered it: @fastify/rate-limit, the cooldowns, the login throttle, the code cap. */
export const rateLimited = new Counter(
  spec('authmail_rate_limited_total', API_METRICS.authmail_rate_limited_total),
)
