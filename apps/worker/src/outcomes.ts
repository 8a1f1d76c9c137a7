import { randomUUID } from 'node:crypto'
import type { Broker, ConsumeMessage, MessagePropertyHeaders } from '@authmail/broker'
import {
  linkPurposeOf,
  type MailJob,
  type MailReceipt,
  MailReceiptSchema,
  type SignedMailReceipt,
} from '@authmail/contracts'
import type { ReceiptSeal } from '@authmail/tokens'
import type { DeathReason } from './classify.ts'
import type { ComposedMail } from './compose.ts'

/** Header counting how many retry queues a job has been through. */
export const RETRY_COUNT_HEADER = 'x-retry-count'

export const retryCountOf = (message: ConsumeMessage): number => {
  const value = Number(message.properties.headers?.[RETRY_COUNT_HEADER] ?? 0)
  return Number.isInteger(value) && value > 0 ? value : 0
}

/** The broker's own dead-letter bookkeeping is not ours to copy onto a new message. */
function ownHeaders(headers: MessagePropertyHeaders | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(([key]) => !/^x-(death|first-death-|last-death-)/.test(key)),
  )
}

// Long SMTP replies are cut; the header is for a human reading the dead-letter list.
const clip = (text: string) => (text.length > 500 ? `${text.slice(0, 497)}...` : text)

/** Every way a job leaves mail.jobs other than a plain ack; each resolves only on the broker's confirm. */
export function createOutcomes(broker: Broker, seal: ReceiptSeal) {
  const { names } = broker
  const idOf = (message: ConsumeMessage) => message.properties.messageId ?? randomUUID()

  return {
    /** True when the job still has a retry queue to wait in. */
    canRetry: (message: ConsumeMessage) => retryCountOf(message) < names.retries.length,

    /** Into the next retry queue; its TTL dead-letters it back to mail.jobs. */
    retry(message: ConsumeMessage, error: string): Promise<void> {
      const attempt = retryCountOf(message)
      const queue = names.retries[attempt]
      if (!queue) return Promise.reject(new Error(`no retry queue after attempt ${attempt}`))
      return broker.sendToQueue(queue.name, message.content, {
        messageId: idOf(message),
        headers: {
          ...ownHeaders(message.properties.headers),
          [RETRY_COUNT_HEADER]: attempt + 1,
          'x-last-error': clip(error),
        },
      })
    },

    /** Parked in mail.jobs.dead with the reason, for an operator to read and replay. */
    dead(message: ConsumeMessage, reason: DeathReason, error: string, job: MailJob | null): Promise<void> {
      return broker.publish(names.deadRoutingKey, message.content, {
        messageId: idOf(message),
        headers: {
          ...ownHeaders(message.properties.headers),
          'x-death-reason': reason,
          'x-death-error': clip(error),
          'x-died-at': new Date().toISOString(),
          'x-job-type': job?.type ?? 'unknown',
        },
      })
    },

    /** Signed, so the api records only receipts from a holder of JWT_SECRET. */
    receipt(receipt: MailReceipt, requestId: string | undefined): Promise<void> {
      const fields = MailReceiptSchema.parse(receipt)
      const signed: SignedMailReceipt = { ...fields, signature: seal.sign(fields) }
      return broker.publish(names.receiptsRoutingKey, signed, {
        messageId: `${receipt.jobId}.${receipt.status}`,
        headers: requestId ? { 'x-request-id': requestId } : {},
      })
    },
  }
}

export type Outcomes = ReturnType<typeof createOutcomes>

const common = (job: MailJob) => ({
  jobId: job.id,
  type: job.type,
  userId: 'userId' in job ? job.userId : null,
  email: job.email,
  purpose: linkPurposeOf(job),
  at: new Date().toISOString(),
})

export const sentReceipt = (job: MailJob, mail: ComposedMail): MailReceipt => ({
  ...common(job),
  tokenId: mail.token?.jti ?? null,
  tokenExpiresAt: mail.token?.expiresAt.toISOString() ?? null,
  status: 'sent',
  error: null,
})

/** `recipientRefused` travels only when true: an api that predates the field still verifies the rest. */
export const failedReceipt = (job: MailJob, error: string, recipientRefused = false): MailReceipt => ({
  ...common(job),
  tokenId: null,
  tokenExpiresAt: null,
  status: 'failed',
  error: clip(error),
  ...(recipientRefused ? { recipientRefused: true } : {}),
})
