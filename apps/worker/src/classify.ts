/** A message that can never be handled: bad JSON, or a body that fails the contract. */
export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError'
}

/** Why a job was parked in mail.jobs.dead; the `x-death-reason` header. */
export type DeathReason = 'invalid_message' | 'smtp_rejected' | 'retries_exhausted'

export type Verdict =
  | { retryable: true; error: string }
  | {
      retryable: false
      reason: Exclude<DeathReason, 'retries_exhausted'>
      error: string
      /** The server refused the recipient for good: the api suppresses the address. */
      recipientRefused: boolean
    }

interface MailError {
  code?: unknown
  responseCode?: unknown
  command?: unknown
  response?: unknown
  message?: unknown
}

/**
 * A 5xx answer to RCPT TO (nodemailer names the command on its error) says the
 * mailbox is not there: `550 5.1.1 user unknown`. A security or policy code
 * (5.7.x: relaying denied, sender blocked) names the sender instead; taken as a
 * dead address it would suppress every recipient of a misconfigured relay.
 */
function refusesRecipient({ command, response }: MailError): boolean {
  if (command !== 'RCPT TO') return false
  const enhanced = typeof response === 'string' ? /^5\d\d[ -]5\.(\d{1,3})\./.exec(response) : null
  return enhanced?.[1] !== '7'
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
    return { retryable: false, reason: 'invalid_message', error: message, recipientRefused: false }
  const mailError = (typeof error === 'object' && error ? error : {}) as MailError
  const { code, responseCode } = mailError
  if (code === 'EAUTH') return { retryable: true, error: message }
  if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) {
    const recipientRefused = refusesRecipient(mailError)
    return { retryable: false, reason: 'smtp_rejected', error: message, recipientRefused }
  }
  // Nodemailer refused the envelope or message before the server said anything (e.g. a bad address).
  if (typeof responseCode !== 'number' && (code === 'EENVELOPE' || code === 'EMESSAGE')) {
    return { retryable: false, reason: 'invalid_message', error: message, recipientRefused: false }
  }
  return { retryable: true, error: message }
}
