/**
 * Every Prometheus metric of authmail beside the process defaults, in one list:
 * the apps define theirs from it, docs/operations.md documents it, and the
 * Grafana dashboard's test checks that its queries name nothing else.
 */
export const METRICS = {
  // api
  authmail_http_request_duration_seconds: {
    process: 'api',
    type: 'histogram',
    labels: ['route', 'method', 'status'],
    help: 'HTTP requests by route pattern, method and status code',
  },
  authmail_outbox_pending: {
    process: 'api',
    type: 'gauge',
    labels: [],
    help: 'Outbox rows not yet published to RabbitMQ',
  },
  authmail_outbox_oldest_seconds: {
    process: 'api',
    type: 'gauge',
    labels: [],
    help: 'Age of the oldest unpublished outbox row (0 when none)',
  },
  authmail_outbox_published_total: {
    process: 'api',
    type: 'counter',
    labels: [],
    help: 'Outbox rows published and confirmed by RabbitMQ',
  },
  authmail_receipts_recorded_total: {
    process: 'api',
    type: 'counter',
    labels: ['status'],
    help: 'Delivery receipts from the worker recorded, by status (sent, failed)',
  },
  authmail_receipts_dropped_total: {
    process: 'api',
    type: 'counter',
    labels: ['reason'],
    help: 'Receipts acked without recording: invalid, unsigned, or with a signature that does not verify',
  },
  authmail_mails_queued_total: {
    process: 'api',
    type: 'counter',
    labels: ['kind'],
    help: 'Mail jobs written to the outbox, by kind',
  },
  authmail_mails_dropped_total: {
    process: 'api',
    type: 'counter',
    labels: ['reason'],
    help: 'Mails not queued, by reason: a spent mail budget (global_budget, domain_budget) or a suppressed address (suppressed)',
  },
  authmail_suppressions_total: {
    process: 'api',
    type: 'counter',
    labels: ['reason'],
    help: 'Addresses added to the suppression list, by reason (hard_bounce, complaint, soft_bounces, smtp_rejected)',
  },
  authmail_login_attempts_total: {
    process: 'api',
    type: 'counter',
    labels: ['result'],
    help: 'Password logins by result',
  },
  authmail_rate_limited_total: {
    process: 'api',
    type: 'counter',
    labels: ['route'],
    help: 'Requests refused with 429 by route pattern',
  },
  authmail_events_recorded_total: {
    process: 'api',
    type: 'counter',
    labels: ['type'],
    help: 'Lifecycle events written to the outbox for the authmail.events exchange, by type',
  },
  // worker
  authmail_mails_sent_total: {
    process: 'worker',
    type: 'counter',
    labels: ['kind'],
    help: 'Mails accepted by the SMTP server, by kind',
  },
  authmail_mail_failures_total: {
    process: 'worker',
    type: 'counter',
    labels: ['kind', 'outcome'],
    help: 'Failed mail jobs by kind and outcome (retry: into a retry queue; dead: into the dead-letter queue)',
  },
  authmail_smtp_send_duration_seconds: {
    process: 'worker',
    type: 'histogram',
    labels: [],
    help: 'Time the SMTP server took to accept (or refuse) one mail',
  },
  authmail_jobs_in_flight: {
    process: 'worker',
    type: 'gauge',
    labels: [],
    help: 'Mail jobs being handled right now',
  },
  authmail_duplicates_skipped_total: {
    process: 'worker',
    type: 'counter',
    labels: [],
    help: 'Redelivered jobs this worker had already sent: receipt repeated, no second mail',
  },
  authmail_queue_messages: {
    process: 'worker',
    type: 'gauge',
    labels: ['queue'],
    help: 'Messages in mail.jobs, each retry queue and the dead-letter queue, read from RabbitMQ every few seconds',
  },
  authmail_webhook_deliveries_total: {
    process: 'worker',
    type: 'counter',
    labels: ['outcome'],
    help: 'Webhook POSTs by outcome (delivered: a 2xx; retry: into a retry queue; dead: into webhooks.dead)',
  },
  authmail_webhook_duration_seconds: {
    process: 'worker',
    type: 'histogram',
    labels: [],
    help: 'Time the webhook receiver took to answer (or the POST took to fail)',
  },
} as const satisfies Record<string, MetricSpec>

export interface MetricSpec {
  process: 'api' | 'worker'
  type: 'counter' | 'gauge' | 'histogram'
  labels: readonly string[]
  help: string
}

export type MetricName = keyof typeof METRICS

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[]

/** Prefix of every authmail metric, the process defaults (`authmail_process_cpu_seconds_total` …) included. */
export const METRIC_PREFIX = 'authmail_'
