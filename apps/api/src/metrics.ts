import { Counter, collectDefaultMetrics, Registry } from 'prom-client'

/** One registry per process; tests building several apps share it, so metrics are created once. */
export const register = new Registry()
collectDefaultMetrics({ register })

export const outboxPublished = new Counter({
  name: 'authmail_outbox_published_total',
  help: 'Mail jobs the relay published and the broker confirmed',
  registers: [register],
})

export const receiptsRecorded = new Counter({
  name: 'authmail_receipts_recorded_total',
  help: 'Delivery receipts recorded, by status',
  labelNames: ['status'],
  registers: [register],
})

export const mailsDropped = new Counter({
  name: 'authmail_mails_dropped_total',
  help: 'Mails not queued because a mail budget per minute was spent, by reason',
  labelNames: ['reason'],
  registers: [register],
})
