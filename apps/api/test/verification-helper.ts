import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { createBroker } from '@authmail/broker'
import { type MailReceipt, MailReceiptSchema } from '@authmail/contracts'
import { createReceiptSeal } from '@authmail/tokens'
import type { FastifyInstance } from 'fastify'
import { AMQP_URL, closeBeforeApi } from './helper.ts'

const quiet = { info() {}, warn() {}, error() {}, debug() {} }

/** Polls `check` until it returns a value other than undefined (or fails after `timeoutMs`). */
export async function waitUntil<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A verification link token as the worker mints it, for the user's current credentials. */
export function verifyToken(
  api: FastifyInstance,
  user: { id: string; email: string; credential_version: number },
) {
  return api.tokens.sign('verify_email', { sub: user.id, ver: user.credential_version, email: user.email })
}

/** A broker connection on the api's queues, as the worker has; closed before the api. */
export async function workerBroker(t: TestContext, api: FastifyInstance) {
  const broker = createBroker({
    urls: [AMQP_URL],
    prefix: api.env.QUEUE_PREFIX,
    name: 'test-worker',
    logger: quiet,
  })
  broker.start()
  await broker.whenConnected()
  closeBeforeApi(t, api, () => broker.close())
  return broker
}

/**
 * Stands in for the worker's last step: for a verification job it mints the
 * token the mail would carry and publishes the receipt on the real
 * `mail.receipts` queue, then waits until the api has recorded it.
 */
export async function receiptSender(t: TestContext, api: FastifyInstance) {
  const broker = await workerBroker(t, api)

  return async function deliver(
    job: { id?: string; type?: string; userId: string; email: string; credentialVersion: number },
    options: { status?: 'sent' | 'failed'; at?: Date } = {},
  ) {
    const status = options.status ?? 'sent'
    const signed = api.tokens.sign('verify_email', {
      sub: job.userId,
      ver: job.credentialVersion,
      email: job.email,
    })
    const jobId = job.id ?? randomUUID()
    const receipt: MailReceipt = MailReceiptSchema.parse({
      jobId,
      type: job.type ?? 'verify_email',
      userId: job.userId,
      email: job.email,
      purpose: status === 'sent' ? 'verify_email' : null,
      tokenId: status === 'sent' ? signed.jti : null,
      tokenExpiresAt: status === 'sent' ? signed.expiresAt.toISOString() : null,
      status,
      at: (options.at ?? new Date(api.now())).toISOString(),
      error: status === 'failed' ? '550 mailbox unavailable' : null,
    })
    // Signed like the worker signs: the api drops receipts without a valid seal.
    const sealed = { ...receipt, signature: createReceiptSeal(api.env.JWT_SECRET).sign(receipt) }
    await broker.publish(broker.names.receiptsRoutingKey, sealed, { messageId: randomUUID() })
    await waitUntil(async () => {
      const { rows } = await api.db.query('SELECT 1 FROM mail_deliveries WHERE job_id = $1', [jobId])
      return rows.length > 0 ? true : undefined
    })
    return {
      token: signed.token,
      jti: signed.jti,
      code: api.tokens.code(signed.jti),
      expiresAt: signed.expiresAt,
    }
  }
}
