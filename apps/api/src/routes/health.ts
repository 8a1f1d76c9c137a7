import type { FastifyPluginAsync } from 'fastify'
import { register as metricsRegistry } from '../metrics.ts'

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
    const { connected, ...brokerNode } = broker.status()
    const ready = database && connected
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      database: database ? 'up' : 'down',
      broker: connected ? 'up' : 'down',
      // Which cluster node this instance is on: clients spread over the nodes and move when one is lost.
      brokerNode: connected ? brokerNode : null,
      outbox,
    })
  })

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics())
  })
}

export default health
