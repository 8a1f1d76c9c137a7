import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { type TopologyNames, topologyNames } from '@authmail/contracts'
import amqp, {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Options,
} from 'amqplib'
import { type BrowsedMessage, browseQueue } from './browse.ts'
import { assertTopology } from './topology.ts'
import { backoffMs, displayUrl, withHeartbeat } from './urls.ts'

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
  /** How long one connection attempt may take (a host that swallows packets must not stall the loop). */
  connectTimeoutMs?: number
  /** Pause before a message whose handler threw goes back to its queue. */
  handlerRetryDelayMs?: number
}

/** A publish that was not confirmed: broker away, nacked, unroutable or timed out. */
export class PublishError extends Error {
  override name = 'PublishError'
}

export type MessageHandler = (message: ConsumeMessage, settle: Settle) => Promise<void>

/** Acknowledges on the channel the message came from, if that channel still lives. */
export interface Settle {
  ack(): void
  /** Back to the queue at once: only for messages this process will not handle (shutdown). */
  requeue(): void
}

interface Consumer {
  queue: string
  prefetch: number
  handler: MessageHandler
  channel?: Channel
  tag?: string
}

const UNREACHABLE_HINT =
  'start one with `rabbitmq-server -detached` (Debian package rabbitmq-server) or `docker compose up -d rabbitmq`'

export function createBroker(options: BrokerOptions) {
  const { logger } = options
  const names: TopologyNames = topologyNames(options.prefix, options.retryDelaysMs)
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000
  const events = new EventEmitter()
  const consumers: Consumer[] = []
  const inFlight = new Set<Promise<void>>()
  const returned = new Set<string>()

  let connection: ChannelModel | null = null
  let publisher: ConfirmChannel | null = null
  let closing = false
  let loop: Promise<void> | null = null
  let wakeUp = new AbortController()

  async function connectLoop(): Promise<void> {
    let attempt = 0
    let warned = false
    while (!closing) {
      const url = options.urls[attempt % options.urls.length] as string
      try {
        await open(url)
        logger.info({ broker: displayUrl(url) }, 'connected to RabbitMQ')
        events.emit('connected')
        return
      } catch (error) {
        if (closing) return
        const reason = error instanceof Error ? error.message : String(error)
        const delay = backoffMs(attempt++)
        const line = { broker: displayUrl(url), reason, retryInMs: delay }
        // One clear line the first time; then quiet retries until it is back.
        if (!warned) logger.warn(line, `RabbitMQ is not reachable: ${UNREACHABLE_HINT}; retrying`)
        else logger.debug(line, 'RabbitMQ still not reachable')
        warned = true
        await sleep(delay, undefined, { signal: wakeUp.signal }).catch(() => {})
      }
    }
  }

  async function open(url: string): Promise<void> {
    const conn = await amqp.connect(withHeartbeat(url, options.heartbeatSeconds ?? 10), {
      clientProperties: { connection_name: options.name },
      timeout: options.connectTimeoutMs ?? 10_000,
    })
    try {
      conn.on('error', (error: Error) => logger.warn({ err: error }, 'RabbitMQ connection error'))
      conn.on('close', () => lost(conn, 'connection closed'))
      const channel = await conn.createConfirmChannel()
      watch(conn, channel, 'publisher channel')
      channel.on('return', (message: ConsumeMessage) => {
        if (message.properties.messageId) returned.add(message.properties.messageId)
      })
      await assertTopology(channel, names)
      connection = conn
      publisher = channel
      for (const consumer of consumers) await startConsumer(conn, consumer)
      // close() ran while we were connecting: it found nothing to close, so this connection is ours to end.
      if (closing) throw new Error('broker closed while connecting')
    } catch (error) {
      connection = null
      publisher = null
      await conn.close().catch(() => {})
      throw error
    }
  }

  /** Any channel that closes under us means "rebuild everything": simplest state to reason about. */
  function watch(conn: ChannelModel, channel: Channel, what: string) {
    channel.on('error', (error: Error) => logger.warn({ err: error }, `RabbitMQ ${what} error`))
    channel.on('close', () => {
      if (connection === conn && !closing) conn.close().catch(() => lost(conn, `${what} closed`))
    })
  }

  function lost(conn: ChannelModel, reason: string) {
    if (connection !== conn || closing) return
    connection = null
    publisher = null
    for (const consumer of consumers) consumer.channel = undefined
    logger.warn({ reason }, 'lost RabbitMQ; reconnecting')
    events.emit('disconnected')
    loop = connectLoop()
  }

  async function startConsumer(conn: ChannelModel, consumer: Consumer) {
    const channel = await conn.createChannel()
    watch(conn, channel, `consumer channel of ${consumer.queue}`)
    await channel.prefetch(consumer.prefetch)
    const settle = (message: ConsumeMessage): Settle => ({
      // A delivery tag belongs to its channel; after a reconnect the broker redelivers instead.
      ack: () => consumer.channel === channel && channel.ack(message),
      requeue: () => consumer.channel === channel && channel.nack(message, false, true),
    })
    const { consumerTag } = await channel.consume(consumer.queue, (message) => {
      if (!message) {
        // The broker cancelled us (queue deleted, leader moved) but kept the channel open:
        // closing it turns that into the usual rebuild, which consumes again.
        logger.warn({ queue: consumer.queue }, 'RabbitMQ cancelled the consumer; rebuilding')
        channel.close().catch(() => {})
        return
      }
      const work = consumer.handler(message, settle(message)).catch(async (error) => {
        // Left unacked it would hold a prefetch slot until the connection drops; a quorum
        // queue counts the redelivery, so its delivery limit still parks a message that always fails.
        logger.error({ err: error, queue: consumer.queue }, 'message handler failed; returning the message')
        await sleep(options.handlerRetryDelayMs ?? 1000)
        settle(message).requeue()
      })
      inFlight.add(work)
      work.finally(() => inFlight.delete(work))
    })
    consumer.channel = channel
    consumer.tag = consumerTag
  }

  function confirmed(send: (done: (error: unknown) => void) => void, messageId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PublishError(`no confirm within ${confirmTimeoutMs} ms`)),
        confirmTimeoutMs,
      )
      try {
        send((error) => {
          clearTimeout(timer)
          const wasReturned = returned.delete(messageId)
          if (error) reject(new PublishError(`broker refused the message: ${String(error)}`))
          else if (wasReturned) reject(new PublishError('message was unroutable (returned by the broker)'))
          else resolve()
        })
      } catch (error) {
        // amqplib throws at once on a channel that is already closing.
        clearTimeout(timer)
        reject(
          new PublishError(`could not publish: ${error instanceof Error ? error.message : String(error)}`),
        )
      }
    })
  }

  type PublishOptions = Options.Publish & { messageId: string }

  function publishOptions(opts: PublishOptions): Options.Publish {
    return { persistent: true, mandatory: true, contentType: 'application/json', ...opts }
  }

  const body = (content: Buffer | object) =>
    Buffer.isBuffer(content) ? content : Buffer.from(JSON.stringify(content))

  return {
    names,
    events,

    /** Starts connecting in the background; never throws for an unreachable broker. */
    start(): void {
      loop ??= connectLoop()
    },

    isConnected: () => publisher !== null,

    /** Resolves once connected (tests and readiness use it). */
    async whenConnected(timeoutMs = 30_000): Promise<void> {
      if (publisher) return
      const signal = AbortSignal.timeout(timeoutMs)
      await EventEmitter.once(events, 'connected', { signal })
    },

    /** Publishes to the `authmail` exchange and resolves only on the broker's confirm. */
    publish(routingKey: string, content: Buffer | object, opts: PublishOptions): Promise<void> {
      const channel = publisher
      if (!channel) return Promise.reject(new PublishError('not connected to RabbitMQ'))
      return confirmed(
        (done) => channel.publish(names.exchange, routingKey, body(content), publishOptions(opts), done),
        opts.messageId,
      )
    },

    /** Publishes straight to one queue (retry queues), confirmed like {@link publish}. */
    sendToQueue(queue: string, content: Buffer | object, opts: PublishOptions): Promise<void> {
      const channel = publisher
      if (!channel) return Promise.reject(new PublishError('not connected to RabbitMQ'))
      return confirmed(
        (done) => channel.sendToQueue(queue, body(content), publishOptions(opts), done),
        opts.messageId,
      )
    },

    /** Registers a consumer; it is (re)started on every connect. */
    async consume(queue: string, handler: MessageHandler, { prefetch }: { prefetch: number }) {
      const consumer: Consumer = { queue, handler, prefetch }
      consumers.push(consumer)
      if (connection) await startConsumer(connection, consumer)
    },

    /** Lets `visit` look at up to `limit` ready messages of `queue`; see {@link browseQueue}. */
    browse(queue: string, visit: (messages: BrowsedMessage[]) => Promise<void>, { limit = 10_000 } = {}) {
      if (!connection) return Promise.reject(new PublishError('not connected to RabbitMQ'))
      return browseQueue(connection, queue, visit, limit)
    },

    /** Stops taking messages, lets in-flight handlers finish (bounded), then closes channels and connection. */
    async close({ drainTimeoutMs = 10_000 } = {}): Promise<void> {
      closing = true
      wakeUp.abort()
      wakeUp = new AbortController()
      for (const consumer of consumers) {
        if (consumer.channel && consumer.tag) await consumer.channel.cancel(consumer.tag).catch(() => {})
      }
      const drained = Promise.allSettled([...inFlight])
      const giveUp = new AbortController()
      await Promise.race([
        drained,
        sleep(drainTimeoutMs, undefined, { signal: giveUp.signal }).catch(() => {}),
      ])
      giveUp.abort() // the timer must not keep the process alive once drained
      const conn = connection
      connection = null
      for (const consumer of consumers) {
        await consumer.channel?.close().catch(() => {})
        consumer.channel = undefined
      }
      await publisher?.close().catch(() => {})
      publisher = null
      await conn?.close().catch(() => {})
      await loop?.catch(() => {})
    },
  }
}

export type Broker = ReturnType<typeof createBroker>
