import type { MailJob } from '@authmail/contracts'
import { REQUEST_ID_HEADER } from '@authmail/contracts'
import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'
import { events } from '../events/events.ts'
import { mailsDropped, mailsQueued } from '../metrics.ts'
import type { Suppressions } from '../suppressions/suppressions.ts'
import { outboxRows } from './outbox-repository.ts'
import { createRelay } from './relay.ts'

declare module 'fastify' {
  interface FastifyInstance {
    outbox: Outbox
    relay: ReturnType<typeof createRelay>
  }
}

/**
 * Mail jobs (and, through events/, lifecycle events) written next to the state change they announce, in the caller's
 * transaction. Every mail the api sends passes here, so this is where a
 * suppressed address is skipped: the caller goes on exactly as if the job
 * were queued (same answer, same cooldown), and nobody learns the address is
 * on the list.
 */
export function createOutbox(deps: { suppressions: Pick<Suppressions, 'reasonFor'> }) {
  return {
    async add(tx: Queryable, job: MailJob, requestId: string | null = null): Promise<void> {
      const suppressed = await deps.suppressions.reasonFor(tx, job.email)
      if (suppressed) {
        mailsDropped.inc({ reason: 'suppressed' })
        // The product hears of the mail that did not go, as it hears of those that did (mail.sent).
        await events.record(
          tx,
          {
            type: 'mail.suppressed',
            userId: 'userId' in job ? job.userId : null,
            data: { email: job.email, kind: job.type, reason: suppressed },
          },
          { requestId },
        )
        return
      }
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
    const { db, broker, suppressions } = app
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
    app.decorate('outbox', createOutbox({ suppressions }))
    app.decorate('relay', relay)
    broker.events.on('connected', relay.kick)
    app.addHook('onReady', () => relay.start())
    // Runs before the broker closes (hooks close in reverse order): a last flush.
    app.addHook('onClose', () => relay.stop())
  },
  { name: 'outbox', dependencies: ['db', 'broker', 'suppressions'] },
)
