import { createBroker } from './broker.ts'
import type { BrokerEnv } from './env.ts'
import type { BrokerLogger } from './types.ts'

/** The broker every process builds from its environment: the same URLs, names and retry delays. */
export function brokerFromEnv(
  env: BrokerEnv,
  options: { name: string; logger: BrokerLogger; webhooks?: boolean },
) {
  return createBroker({
    urls: env.AMQP_URL,
    prefix: env.QUEUE_PREFIX,
    retryDelaysMs: env.RETRY_DELAYS_MS,
    ...options,
  })
}
