import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
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
import { confirmPublish } from './confirm.ts'
import { consumeOn } from './consumer.ts'
import { queueDepths } from './depth.ts'
import { assertTopology } from './topology.ts'
import { type BrokerOptions, type Consumer, type MessageHandler, PublishError } from './types.ts'
import { backoffMs, displayUrl, withHeartbeat } from './urls.ts'

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
      // Host and pid tell instances apart in the broker's connection list.
      clientProperties: { connection_name: `${options.name} ${hostname()} pid ${process.pid}` },
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

  const startConsumer = (conn: ChannelModel, consumer: Consumer) =>
    consumeOn(conn, consumer, {
      logger,
      inFlight,
      watch: (channel) => watch(conn, channel, `consumer channel of ${consumer.queue}`),
      handlerRetryDelayMs: options.handlerRetryDelayMs ?? 1000,
    })

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

    /** Connected, and every registered consumer has a live channel (readiness probes use it). */
    isConsuming: () =>
      publisher !== null && consumers.length > 0 && consumers.every((consumer) => consumer.channel),

    /** Ready messages per queue (missing queues left out); see {@link queueDepths}. */
    queueDepths(queues: readonly string[]): Promise<Map<string, number>> {
      if (!connection) return Promise.reject(new PublishError('not connected to RabbitMQ'))
      return queueDepths(connection, queues)
    },

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
      return confirmPublish(
        (done) => channel.publish(names.exchange, routingKey, body(content), publishOptions(opts), done),
        opts.messageId,
        returned,
        confirmTimeoutMs,
      )
    },

    /** Publishes straight to one queue (retry queues), confirmed like {@link publish}. */
    sendToQueue(queue: string, content: Buffer | object, opts: PublishOptions): Promise<void> {
      const channel = publisher
      if (!channel) return Promise.reject(new PublishError('not connected to RabbitMQ'))
      return confirmPublish(
        (done) => channel.sendToQueue(queue, body(content), publishOptions(opts), done),
        opts.messageId,
        returned,
        confirmTimeoutMs,
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
