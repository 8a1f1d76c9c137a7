import { setTimeout as sleep } from 'node:timers/promises'
import type { Broker, ConsumeMessage, MessageHandler } from '@authmail/broker'
import { AuthmailEventSchema, REQUEST_ID_HEADER } from '@authmail/contracts'
import type { Logger } from '@authmail/logger'
import { Webhook } from 'standardwebhooks'
import type { WorkerMetrics } from './metrics.ts'
import { RETRY_COUNT_HEADER, retryCountOf } from './outcomes.ts'

export interface WebhookDeps {
  broker: Broker
  url: string
  /** `whsec_…`: the Standard Webhooks secret receivers verify with. */
  secret: string
  timeoutMs: number
  metrics: WorkerMetrics
  logger: Logger
  /** Pause before giving an event back when the broker would not confirm where it went. */
  requeueDelayMs?: number
}

type Attempt = { ok: true; status: number } | { ok: false; error: string }

const clip = (text: string) => (text.length > 500 ? `${text.slice(0, 497)}...` : text)

/**
 * One event from the `webhooks` queue: POSTed to WEBHOOK_URL signed as the
 * Standard Webhooks specification says. A 2xx is delivered; anything else (an
 * error status, a timeout, a refused connection) waits in the next retry queue,
 * and after the last one is parked in `webhooks.dead`. Like a mail job, the
 * event is acked only once the broker confirmed where it went.
 */
export function createWebhookHandler(deps: WebhookDeps): MessageHandler {
  const { broker, metrics } = deps
  const { names } = broker
  const signer = new Webhook(deps.secret)

  /** The body is the message as the api published it: the bytes signed are the bytes sent. */
  async function post(id: string, body: string): Promise<Attempt> {
    const timestamp = new Date()
    const stop = metrics.webhookDuration.startTimer()
    try {
      const response = await fetch(deps.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'authmail-webhooks',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signer.sign(id, timestamp, body),
        },
        body,
        // A redirect is the receiver's misconfiguration: following it would send the event elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs),
      })
      await response.arrayBuffer().catch(() => {}) // frees the connection for the next POST
      if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status }
      return { ok: false, error: `receiver answered ${response.status}` }
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      return {
        ok: false,
        error: error instanceof Error ? `${error.message}${cause ? ` (${cause})` : ''}` : String(error),
      }
    } finally {
      stop()
    }
  }

  /** Into the next retry queue (its TTL brings the event back to `webhooks`), or into `webhooks.dead`. */
  function reschedule(message: ConsumeMessage, id: string, error: string): Promise<'retry' | 'dead'> {
    const attempt = retryCountOf(message)
    const requestId = message.properties.headers?.[REQUEST_ID_HEADER]
    const headers = {
      ...(typeof requestId === 'string' ? { [REQUEST_ID_HEADER]: requestId } : {}),
      [RETRY_COUNT_HEADER]: attempt + 1,
      'x-last-error': clip(error),
    }
    const retry = names.webhookRetries[attempt]
    if (retry)
      return broker.sendToQueue(retry.name, message.content, { messageId: id, headers }).then(() => 'retry')
    const dead = { ...headers, 'x-died-at': new Date().toISOString() }
    return broker
      .sendToQueue(names.webhooksDead, message.content, { messageId: id, headers: dead })
      .then(() => 'dead')
  }

  return async (message, settle) => {
    const body = message.content.toString('utf8')
    const event = parseEvent(body)
    const id = event?.id ?? message.properties.messageId ?? 'unknown'
    const log = deps.logger.child({ eventId: id, type: event?.type })
    try {
      if (!event) {
        // Nothing would ever make it valid: parked for an operator, never POSTed.
        await broker.sendToQueue(names.webhooksDead, message.content, {
          messageId: id,
          headers: { 'x-last-error': 'not a valid event', 'x-died-at': new Date().toISOString() },
        })
        metrics.webhookDeliveries.inc({ outcome: 'dead' })
        log.error('invalid event parked in the webhook dead-letter queue')
        return settle.ack()
      }
      const attempt = await post(id, body)
      if (attempt.ok) {
        metrics.webhookDeliveries.inc({ outcome: 'delivered' })
        log.debug({ status: attempt.status }, 'webhook delivered')
        return settle.ack()
      }
      const outcome = await reschedule(message, id, attempt.error)
      metrics.webhookDeliveries.inc({ outcome })
      if (outcome === 'retry') log.warn({ error: attempt.error }, 'webhook failed; will retry')
      else log.error({ error: attempt.error }, 'webhook failed after the last retry; parked in webhooks.dead')
      settle.ack()
    } catch (error) {
      log.warn({ err: error }, 'could not record the outcome of a webhook; returning it to the queue')
      await sleep(deps.requeueDelayMs ?? 1000)
      settle.requeue()
    }
  }
}

function parseEvent(body: string) {
  try {
    const parsed = AuthmailEventSchema.safeParse(JSON.parse(body))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
