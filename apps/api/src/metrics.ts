import { METRIC_PREFIX, METRICS, type MetricName } from '@authmail/contracts'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** prom-client's configuration of one entry of the shared catalogue (`METRICS` of @authmail/contracts). */
function spec<N extends MetricName>(name: N) {
  return {
    name,
    help: METRICS[name].help,
    labelNames: METRICS[name].labels as unknown as string[],
    registers: [register],
  }
}

/** One registry per process; tests building several apps share it, so metrics are created once. */
export const register = new Registry()
collectDefaultMetrics({ register, prefix: METRIC_PREFIX })

/** Label of requests no route matched: one value, never the raw URL (which would grow without bound). */
export const UNMATCHED_ROUTE = 'unmatched'

export const httpRequestDuration = new Histogram({
  ...spec('authmail_http_request_duration_seconds'),
  // Argon2 hashing puts register/login near 50–100 ms; most other routes answer in a few ms.
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
})

/** Set at scrape time from the outbox itself (one query on the partial index of unpublished rows). */
export const outboxPending = new Gauge(spec('authmail_outbox_pending'))
export const outboxOldestSeconds = new Gauge(spec('authmail_outbox_oldest_seconds'))

export const outboxPublished = new Counter(spec('authmail_outbox_published_total'))

export const receiptsRecorded = new Counter(spec('authmail_receipts_recorded_total'))

export const receiptsDropped = new Counter(spec('authmail_receipts_dropped_total'))

/** Counted when the row is added; a transaction that then rolls back has counted it too. */
export const mailsQueued = new Counter(spec('authmail_mails_queued_total'))

export const loginAttempts = new Counter(spec('authmail_login_attempts_total'))

/** Every 429, whoever answered it: @fastify/rate-limit, the cooldowns, the login throttle, the code cap. */
export const rateLimited = new Counter(spec('authmail_rate_limited_total'))

/** Mails not queued because a budget per minute was spent or the address is suppressed (the request still answers 202). */
export const mailsDropped = new Counter(spec('authmail_mails_dropped_total'))

/** Counted when the row is added, in the transaction of the bounce, complaint or refusal. */
export const suppressionsAdded = new Counter(spec('authmail_suppressions_total'))

/** Counted when the event is written; a transaction that then rolls back has counted it too. */
export const eventsRecorded = new Counter(spec('authmail_events_recorded_total'))
