import { METRIC_PREFIX, METRICS, type MetricName } from '@authmail/contracts'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** The name, help and labels of a metric, as the shared catalogue in @authmail/contracts defines them. */
const spec = <N extends MetricName>(name: N) => ({
  name,
  help: METRICS[name].help,
  labelNames: METRICS[name].labels as unknown as string[],
})

/**
 * The worker's Prometheus metrics, in a registry of their own per worker (tests
 * build several workers in one process), with Node's process metrics beside them.
 */
export function createWorkerMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
  const registers = [registry]

  return {
    registry,
    mailsSent: new Counter({ ...spec('authmail_mails_sent_total'), registers }),
    mailFailures: new Counter({ ...spec('authmail_mail_failures_total'), registers }),
    smtpSendDuration: new Histogram({
      ...spec('authmail_smtp_send_duration_seconds'),
      // A pooled send to a relay nearby takes milliseconds; a stalled one runs into the socket timeout.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    jobsInFlight: new Gauge({ ...spec('authmail_jobs_in_flight'), registers }),
    duplicatesSkipped: new Counter({ ...spec('authmail_duplicates_skipped_total'), registers }),
    queueMessages: new Gauge({ ...spec('authmail_queue_messages'), registers }),
    webhookDeliveries: new Counter({ ...spec('authmail_webhook_deliveries_total'), registers }),
    webhookDuration: new Histogram({
      ...spec('authmail_webhook_duration_seconds'),
      // Up to WEBHOOK_TIMEOUT_MS (10 s by default), where a POST is given up.
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  }
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>
