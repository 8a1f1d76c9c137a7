import type { FastifyPluginAsync } from 'fastify'
import { register as metricsRegistry, outboxOldestSeconds, outboxPending } from '../metrics.ts'

/** Liveness, readiness (database + broker + relay lag) and Prometheus metrics. */
const health: FastifyPluginAsync = async (app) => {
  const { db, broker, relay } = app

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const database = await db.query('SELECT 1').then(
      () => true,
      () => false,
    )
    const outbox = database ? await relay.lag() : null
    const ready = database && broker.isConnected()
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      database: database ? 'up' : 'down',
      broker: broker.isConnected() ? 'up' : 'down',
      outbox,
    })
  })

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    // Read at scrape time, from the outbox every instance shares; a database away leaves the last values.
    const lag = await relay.lag().catch(() => null)
    if (lag) {
      outboxPending.set(lag.pending)
      outboxOldestSeconds.set(lag.oldestSeconds)
    }
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics())
  })
}

export default health
