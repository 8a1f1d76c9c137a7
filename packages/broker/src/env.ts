import { list, urlWith, z } from '@authmail/config'
import { DEFAULT_RETRY_DELAYS_MS } from '@authmail/contracts'

/**
 * What talking to RabbitMQ needs, shared by the api, the worker and the `dlq`
 * command: they must agree on names and retry delays, since each declares the topology.
 */
export const BrokerEnvSchema = z.object({
  AMQP_URL: list()
    .pipe(z.array(urlWith(['amqp:', 'amqps:'], 'must be amqp:// or amqps:// URLs, comma-separated')).min(1))
    .default(['amqp://guest:guest@127.0.0.1:5672']),
  QUEUE_PREFIX: z.string().default(''),
  RETRY_DELAYS_MS: list()
    .pipe(z.array(z.coerce.number<string>().int().positive()).min(1))
    .default([...DEFAULT_RETRY_DELAYS_MS]),
})

export type BrokerEnv = z.output<typeof BrokerEnvSchema>
