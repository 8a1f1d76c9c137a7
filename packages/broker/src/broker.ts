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
import { worstHint } from './connect-errors.ts'
import { consumeOn } from './consumer.ts'
import { queueDepths } from './depth.ts'
import { type BrokerStatus, type NodeStatus, nodeOf } from './node-status.ts'
import { watchStalls } from './stall.ts'
import { assertTopology, MIGRATION_DOC } from './topology.ts'
import { type BrokerOptions, type Consumer, type MessageHandler, PublishError } from './types.ts'
import { backoffMs, displayUrl, withHeartbeat } from './urls.ts'

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

export function createBroker(options: BrokerOptions) {
  const { logger } = options
  const names: TopologyNames = topologyNames(options.prefix, options.retryDelaysMs)
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000
  const events = new EventEmitter()
  const consumers: Consumer[] = []
  const inFlight = new Set<Promise<void>>()
  const returned = new Set<string>()
  const mismatched = new Set<string>()

  let connection: ChannelModel | null = null
  /** Settles when `connection` is gone. */
  let connectionGone: Promise<void> = Promise.resolve()
  let publisher: ConfirmChannel | null = null
  let node: NodeStatus | null = null
  let closing = false
  let loop: Promise<void> | null = null
  let wakeUp = new AbortController()
  /** The URL tried next: after a loss it is the one after the node we were on, which may be the one that died. */
  let nextUrl = 0

  async function connectLoop(): Promise<void> {
    let round = 0
    let lastHint = ''
    while (!closing) {
      const errors: unknown[] = []
      for (let i = 0; i < options.urls.length && !closing; i++) {
        const index = nextUrl
        const url = options.urls[index] as string
        nextUrl = (index + 1) % options.urls.length
        try {
          await open(url)
          logger.info(
            { broker: displayUrl(url), node: node?.node, cluster: node?.cluster },
            'connected to RabbitMQ',
          )
          events.emit('connected')
          return
        } catch (error) {
          if (closing) return
          errors.push(error)
          if (i + 1 < options.urls.length) {
            logger.info(
              { broker: displayUrl(url), reason: reasonOf(error) },
              'RabbitMQ node failed; trying the next one',
            )
          }
        }
      }
      if (closing) return
      const delay = backoffMs(round++)
      const { hint } = worstHint(errors)
      const line = { brokers: options.urls.map(displayUrl), reasons: errors.map(reasonOf), retryInMs: delay }
      // One clear line per kind of problem; then quiet retries until it is back or the problem changes.
      if (hint !== lastHint) logger.warn(line, `${hint}; retrying`)
      else logger.debug(line, 'RabbitMQ still not available')
      lastHint = hint
      await sleep(delay, undefined, { signal: wakeUp.signal }).catch(() => {})
    }
  }

  async function open(url: string): Promise<void> {
    const conn = await amqp.connect(withHeartbeat(url, options.heartbeatSeconds ?? 10), {
      // Host and pid tell instances apart in the broker's connection list.
      clientProperties: { connection_name: `${options.name} ${hostname()} pid ${process.pid}` },
      timeout: options.connectTimeoutMs ?? 10_000,
      // Without it Nagle's algorithm holds a small frame (a publish, an ack) while an earlier one is
      // unacknowledged by TCP: a job waited up to the peer's delayed ACK (tens of ms) to leave.
      noDelay: true,
    })
    try {
      conn.on('error', (error: Error) => logger.warn({ err: error }, 'RabbitMQ connection error'))
      const gone = new Promise<void>((resolve) => conn.once('close', () => resolve()))
      conn.on('close', () => lost(conn, 'connection closed'))
      await assertTopology(conn, names, queueMismatch, { webhooks: options.webhooks })
      const channel = await openPublisher(conn)
      connection = conn
      connectionGone = gone
      publisher = channel
      node = nodeOf(url, conn)
      for (const consumer of consumers) await startConsumer(conn, consumer)
      // close() ran while we were connecting: it found nothing to close, so this connection is ours to end.
      if (closing) throw new Error('broker closed while connecting')
    } catch (error) {
      connection = null
      publisher = null
      node = null
      await conn.close().catch(() => {})
      throw error
    }
  }

  async function openPublisher(conn: ChannelModel): Promise<ConfirmChannel> {
    const channel = await conn.createConfirmChannel()
    watch(conn, channel, 'publisher channel', () => publisher === null || publisher === channel)
    channel.on('return', (message: ConsumeMessage) => {
      if (message.properties.messageId) returned.add(message.properties.messageId)
    })
    return channel
  }

  let renewing: Promise<void> | null = null

  /**
   * A nack means a queue would not take the message. After a node's SIGKILL that went on for as
   * long as the channel lived (RabbitMQ 3.10, seen in the cluster node-kill test: every relay
   * publish of both apis nacked for over a minute, on channels opened just after the loss): such a
   * channel apparently keeps what it learnt of the quorum queue before the new leader's election.
   * A new channel starts afresh, so the next publish of the nacked rows (the relay retries every
   * sweep) goes through. The old channel closes once the new one is in place; its unconfirmed
   * publishes fail and are retried like the nacked ones.
   */
  function renewPublisher(nacked: ConfirmChannel): void {
    const conn = connection
    if (!conn || publisher !== nacked || renewing) return
    renewing = openPublisher(conn)
      .then((channel) => {
        if (connection !== conn || publisher !== nacked) {
          channel.close().catch(() => {})
          return
        }
        publisher = channel
        logger.warn({}, 'RabbitMQ refused a publish; publishing on a new channel')
        nacked.close().catch(() => {})
      })
      // The connection is going too: its loss is handled (and logged) on its own.
      .catch(() => {})
      .finally(() => {
        renewing = null
      })
  }

  /** {@link confirmPublish} on the current publisher channel, renewing it after a nack. */
  function publishConfirmed(
    send: (channel: ConfirmChannel, done: (error: unknown) => void) => void,
    messageId: string,
  ): Promise<void> {
    const channel = publisher
    if (!channel) return Promise.reject(new PublishError('not connected to RabbitMQ'))
    return confirmPublish((done) => send(channel, done), messageId, returned, confirmTimeoutMs).catch(
      (error: unknown) => {
        if (error instanceof PublishError && error.nacked) renewPublisher(channel)
        throw error
      },
    )
  }

  /** Logged once per queue and process: the queue keeps working as it is until an operator migrates it. */
  function queueMismatch(queue: string, error: Error) {
    if (mismatched.has(queue)) return
    mismatched.add(queue)
    logger.warn(
      { queue, reason: error.message },
      `queue ${queue} exists with other arguments or is unavailable; using it as it is – see ${MIGRATION_DOC}`,
    )
  }

  /**
   * Any channel that closes under us means "rebuild everything": simplest state to reason about.
   * `inUse` is false for a consumer channel already replaced by {@link resubscribe}.
   */
  function watch(conn: ChannelModel, channel: Channel, what: string, inUse = () => true) {
    channel.on('error', (error: Error) => logger.warn({ err: error }, `RabbitMQ ${what} error`))
    channel.on('close', () => {
      if (connection === conn && !closing && inUse()) conn.close().catch(() => lost(conn, `${what} closed`))
    })
  }

  function lost(conn: ChannelModel, reason: string) {
    if (connection !== conn || closing) return
    connection = null
    publisher = null
    node = null
    for (const consumer of consumers) consumer.channel = undefined
    logger.warn({ reason }, 'lost RabbitMQ; reconnecting')
    events.emit('disconnected')
    loop = connectLoop()
  }

  const startConsumer = (conn: ChannelModel, consumer: Consumer) =>
    consumeOn(conn, consumer, {
      logger,
      inFlight,
      watch: (channel) =>
        watch(conn, channel, `consumer channel of ${consumer.queue}`, () => consumer.channel === channel),
      handlerRetryDelayMs: options.handlerRetryDelayMs ?? 1000,
    })

  /** A new subscription first, then the stale channel goes (returning what the queue held for it). */
  async function resubscribe(consumer: Consumer): Promise<void> {
    const conn = connection
    const stale = consumer.channel
    if (!conn || !stale) return
    await startConsumer(conn, consumer)
    await stale.close().catch(() => {})
  }

  let stalls: ReturnType<typeof watchStalls> | null = null

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
      stalls ??= watchStalls({
        consumers,
        ready: async (queue) =>
          connection ? (await queueDepths(connection, [queue])).get(queue) : undefined,
        resubscribe,
        logger,
        intervalMs: options.stallCheckMs ?? 5000,
      })
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
    /** Which node this process is on, for /readyz: a cluster's clients spread over its nodes. */
    status: (): BrokerStatus => ({ connected: publisher !== null, ...(publisher ? node : null) }),

    /** Resolves once connected (tests and readiness use it). */
    async whenConnected(timeoutMs = 30_000): Promise<void> {
      if (publisher) return
      // A timer of our own, not AbortSignal.timeout(): that one is unref'd, so a process with
      // nothing else to do would end with this wait still pending instead of timing out.
      const abort = new AbortController()
      const timer = setTimeout(
        () => abort.abort(new Error(`not connected to RabbitMQ within ${timeoutMs} ms`)),
        timeoutMs,
      )
      try {
        await EventEmitter.once(events, 'connected', { signal: abort.signal })
      } finally {
        clearTimeout(timer)
      }
    },

    /** Publishes to the `authmail` exchange and resolves only on the broker's confirm. */
    publish(routingKey: string, content: Buffer | object, opts: PublishOptions): Promise<void> {
      return publishConfirmed(
        (channel, done) =>
          channel.publish(names.exchange, routingKey, body(content), publishOptions(opts), done),
        opts.messageId,
      )
    },

    /**
     * Publishes a lifecycle event to the `authmail.events` topic exchange, confirmed like
     * {@link publish}. Not mandatory: an event no queue is bound to is not an error, only unheard.
     */
    publishEvent(type: string, content: Buffer | object, opts: PublishOptions): Promise<void> {
      return publishConfirmed(
        (channel, done) =>
          channel.publish(
            names.events,
            type,
            body(content),
            { ...publishOptions(opts), mandatory: false },
            done,
          ),
        opts.messageId,
      )
    },

    /** Publishes straight to one queue (retry queues), confirmed like {@link publish}. */
    sendToQueue(queue: string, content: Buffer | object, opts: PublishOptions): Promise<void> {
      return publishConfirmed(
        (channel, done) => channel.sendToQueue(queue, body(content), publishOptions(opts), done),
        opts.messageId,
      )
    },

    /** Registers a consumer; it is (re)started on every connect. */
    async consume(queue: string, handler: MessageHandler, { prefetch }: { prefetch: number }) {
      const consumer: Consumer = { queue, handler, prefetch, busy: 0, lastDeliveryAt: Date.now() }
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
      stalls?.stop()
      wakeUp.abort()
      wakeUp = new AbortController()
      // Each step gives up once the connection is gone: a close sent on a dying connection is never answered.
      const unlessGone = (step: Promise<unknown> | undefined) =>
        Promise.race([step?.catch(() => {}), connectionGone])
      for (const consumer of consumers) {
        if (consumer.channel && consumer.tag) await unlessGone(consumer.channel.cancel(consumer.tag))
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
      node = null
      for (const consumer of consumers) {
        await unlessGone(consumer.channel?.close())
        consumer.channel = undefined
      }
      await unlessGone(publisher?.close())
      publisher = null
      await unlessGone(conn?.close())
      await loop?.catch(() => {})
    },
  }
}

export type Broker = ReturnType<typeof createBroker>
