/** A message that can never be handled: bad JSON, or a body that fails the contract. */
export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError'
}

/** Why a job was parked in mail.jobs.dead; the `x-death-reason` header. */
export type DeathReason = 'invalid_message' | 'smtp_rejected' | 'retries_exhausted'

export type Verdict =
  | { retryable: true; error: string }
  | { retryable: false; reason: Exclude<DeathReason, 'retries_exhausted'>; error: string }

interface MailError {
  code?: unknown
  responseCode?: unknown
  message?: unknown
}

/**
 * Decided once, here. Permanent means this message can never be delivered: the
 * server refused it or its recipient with a 5xx, or the message itself is bad.
 * Everything else — timeouts, dropped connections, 4xx, TLS and login trouble
 * (server configuration, fixable by an operator) — is worth retrying; after the
 * last retry the job is parked in the dead queue, where it can be replayed.
 */
export function classify(error: unknown): Verdict {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof InvalidMessageError)
    return { retryable: false, reason: 'invalid_message', error: message }
  const { code, responseCode } = (typeof error === 'object' && error ? error : {}) as MailError
  if (code === 'EAUTH') return { retryable: true, error: message }
  if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) {
    return { retryable: false, reason: 'smtp_rejected', error: message }
  }
  // Nodemailer refused the envelope or message before the server said anything (e.g. a bad address).
  if (typeof responseCode !== 'number' && (code === 'EENVELOPE' || code === 'EMESSAGE')) {
    return { retryable: false, reason: 'invalid_message', error: message }
  }
  return { retryable: true, error: message }
}
