import type { Channel, ConsumeMessage } from 'amqplib'

export interface BrokerLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
}

export interface BrokerOptions {
  urls: string[]
  /** Prefix of every exchange and queue name (tests use it to stay apart). */
  prefix?: string
  /** Delays of the retry queues; tests shorten them (the queue names say the delay). */
  retryDelaysMs?: readonly number[]
  /** Shown in the broker's connection list. */
  name: string
  logger: BrokerLogger
  heartbeatSeconds?: number
  /** How long a publish waits for the broker's confirm before it counts as failed. */
  confirmTimeoutMs?: number
  /** How long one connection attempt may take (a node that swallows packets must not keep us from the next one). */
  connectTimeoutMs?: number
  /** Pause before a message whose handler threw goes back to its queue. */
  handlerRetryDelayMs?: number
  /** How often an idle consumer checks that its queue holds no ready messages it is not given; see stall.ts. */
  stallCheckMs?: number
  /** Declare the webhook queues too (the worker, when WEBHOOK_URL is set). */
  webhooks?: boolean
}

/** A publish that was not confirmed: broker away, nacked, unroutable or timed out. */
export class PublishError extends Error {
  override name = 'PublishError'
  /** The broker answered with a nack: a queue refused the message (not a lost channel or a timeout). */
  readonly nacked: boolean

  constructor(message: string, { nacked = false } = {}) {
    super(message)
    this.nacked = nacked
  }
}

export type MessageHandler = (message: ConsumeMessage, settle: Settle) => Promise<void>

/** Acknowledges on the channel the message came from, if that channel still lives. */
export interface Settle {
  ack(): void
  /**
   * Returns the message to its queue (nack with requeue), for one whose outcome could not be
   * recorded or whose handler threw; callers pause first so a broker hiccup does not spin.
   * A quorum queue counts each return towards its delivery limit.
   */
  requeue(): void
}

export interface Consumer {
  queue: string
  prefetch: number
  handler: MessageHandler
  channel?: Channel
  tag?: string
  /** Handlers of this consumer under way. */
  busy: number
  /** When the broker last delivered to it (or it subscribed). */
  lastDeliveryAt: number
  /** Idle while its queue had ready messages at the last stall check. */
  suspect?: boolean
}
