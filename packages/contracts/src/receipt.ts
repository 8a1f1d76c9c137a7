import { z } from 'zod'
import { LinkPurposeSchema } from './mail-job.ts'

/**
 * What the worker tells the api after handling a job: the mail went out (with
 * the id and expiry of the token it carried), or it failed for good.
 */
export const MailReceiptSchema = z.object({
  jobId: z.uuid(),
  type: z.string(),
  userId: z.uuid().nullable(),
  email: z.email(),
  purpose: LinkPurposeSchema.nullable(),
  tokenId: z.uuid().nullable(),
  tokenExpiresAt: z.iso.datetime().nullable(),
  status: z.enum(['sent', 'failed']),
  at: z.iso.datetime(),
  error: z.string().nullable(),
  /**
   * Present (true) only on a failed receipt whose recipient the SMTP server
   * refused for good (5xx at RCPT TO): the api suppresses the address. Absent
   * otherwise, so receipts of a worker that predates the field verify as before.
   */
  recipientRefused: z.literal(true).optional(),
})
export type MailReceipt = z.infer<typeof MailReceiptSchema>

/**
 * A receipt as it travels on `mail.receipts`: the fields above plus
 * `signature`, HMAC-SHA256 (base64url) over them with sorted keys, keyed by
 * HKDF(JWT_SECRET, `authmail:receipt`). Anyone who can publish to the queue
 * but holds no secret cannot make the api record a delivery or a token id.
 */
export const SignedMailReceiptSchema = MailReceiptSchema.extend({
  signature: z.string().regex(/^[\w-]{43}$/, 'an HMAC-SHA256 in base64url'),
})
export type SignedMailReceipt = z.infer<typeof SignedMailReceiptSchema>
