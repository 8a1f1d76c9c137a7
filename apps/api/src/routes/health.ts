import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { register as metricsRegistry, outboxOldestSeconds, outboxPending } from '../metrics.ts'
import { errors } from '../openapi/schemas.ts'

const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.enum(['up', 'down']),
  broker: z.enum(['up', 'down']),
  brokerNode: z
    .object({ node: z.string().optional(), cluster: z.string().optional(), version: z.string().optional() })
    .nullable()
    .meta({
      description:
        'The RabbitMQ node (host:port of the AMQP_URL entry) and cluster in use; null while disconnected',
    }),
  outbox: z
    .object({ pending: z.number().int(), oldestSeconds: z.number() })
    .nullable()
    .meta({ description: 'Mail jobs waiting to be published; null while the database is away' }),
})

/** Liveness, readiness (database + broker + relay lag) and Prometheus metrics. */
const health: FastifyPluginAsyncZod = async (app) => {
  const { db, broker, relay } = app

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['operations'],
        response: { 200: z.object({ status: z.literal('ok') }).describe('Alive'), ...errors() },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: database and broker',
        tags: ['operations'],
        response: {
          // First, so the readiness body (not the error envelope) describes and serialises the 503.
          ...errors(),
          200: Readiness.describe('Ready'),
          503: Readiness.describe('Not ready: the database or the broker is away'),
        },
      },
    },
    async (_request, reply) => {
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
    },
  )

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        tags: ['operations'],
        response: {
          200: {
            description: 'Metrics in the Prometheus text format',
            content: { 'text/plain': { schema: z.string() } },
          },
          ...errors(),
        },
      },
    },
    async (_request, reply) => {
      // Read at scrape time, from the outbox every instance shares; a database away leaves the last values.
      const lag = await relay.lag().catch(() => null)
      if (lag) {
        outboxPending.set(lag.pending)
        outboxOldestSeconds.set(lag.oldestSeconds)
      }
      return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics())
    },
  )
}

export default health
