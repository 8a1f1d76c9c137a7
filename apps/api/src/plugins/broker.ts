import { type Broker, brokerFromEnv } from '@authmail/broker'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    broker: Broker
  }
}

/**
 * Connects in the background: the api starts and answers even while RabbitMQ
 * is away (the outbox holds the jobs). Closed last, after the relay flushed.
 */
export default fp(
  async (app) => {
    const broker = brokerFromEnv(app.env, {
      name: 'authmail-api',
      logger: app.log.child({ component: 'broker' }),
    })
    app.decorate('broker', broker)
    app.addHook('onReady', () => broker.start())
    app.addHook('onClose', () => broker.close())
  },
  { name: 'broker', dependencies: ['env'] },
)
