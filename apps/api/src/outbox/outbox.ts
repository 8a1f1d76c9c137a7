import type { MailJob } from '@authmail/contracts'
import { REQUEST_ID_HEADER } from '@authmail/contracts'
import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'
import { mailsQueued } from '../metrics.ts'
import { outboxRows } from './outbox-repository.ts'
import { createRelay } from './relay.ts'

declare module 'fastify' {
  interface FastifyInstance {
    outbox: Outbox
    relay: ReturnType<typeof createRelay>
  }
}

/** Mail jobs (and, through events/, lifecycle events) written next to the state change they announce, in the caller's transaction. */
export function createOutbox() {
  return {
    async add(tx: Queryable, job: MailJob, requestId: string | null = null): Promise<void> {
      await outboxRows.insert(tx, job, requestId)
      mailsQueued.inc({ kind: job.type })
    },
  }
}

export type Outbox = ReturnType<typeof createOutbox>

/**
 * The outbox and its relay: after every request that added a job the relay is
 * kicked; a sweep every second catches whatever a crash or an outage left behind.
 */
export default fp(
  async (app) => {
    const { db, broker } = app
    const relay = createRelay({
      db,
      log: app.log.child({ component: 'relay' }),
      publish: (row) => {
        const options = {
          messageId: row.id,
          headers: row.request_id ? { [REQUEST_ID_HEADER]: row.request_id } : {},
        }
        const payload = row.payload as { type: string }
        return row.kind === 'event'
          ? broker.publishEvent(payload.type, payload, options)
          : broker.publish(broker.names.jobsRoutingKey, payload, options)
      },
      canPublish: broker.isConnected,
    })
    app.decorate('outbox', createOutbox())
    app.decorate('relay', relay)
    broker.events.on('connected', relay.kick)
    app.addHook('onReady', () => relay.start())
    // Runs before the broker closes (hooks close in reverse order): a last flush.
    app.addHook('onClose', () => relay.stop())
  },
  { name: 'outbox', dependencies: ['db', 'broker'] },
)
