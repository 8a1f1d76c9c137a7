import { setTimeout as sleep } from 'node:timers/promises'

export interface SmtpStatus {
  ok: boolean
  error?: string
  /** When the answer was had (ms since the epoch). */
  checkedAt: number
}

/**
 * Whether the SMTP server takes connections (nodemailer's verify: connect, TLS,
 * login), remembered for `ttlMs` so that probes every second do not each open
 * an SMTP session. A check slower than `waitMs` leaves the caller with the last
 * answer, or "no answer yet", while it carries on in the background.
 */
export function createSmtpCheck(verify: () => Promise<unknown>, { ttlMs = 5_000, waitMs = 2_000 } = {}) {
  let last: SmtpStatus | null = null
  let pending: Promise<SmtpStatus> | null = null

  function check(): Promise<SmtpStatus> {
    pending ??= verify()
      .then(
        () => ({ ok: true }),
        (error: unknown) => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      )
      .then((result) => {
        last = { ...result, checkedAt: Date.now() }
        pending = null
        return last
      })
    return pending
  }

  return {
    async status(): Promise<SmtpStatus> {
      if (last && Date.now() - last.checkedAt < ttlMs) return last
      const answer = await Promise.race([check(), sleep(waitMs, null, { ref: false })])
      return (
        answer ?? last ?? { ok: false, error: 'no answer from the SMTP server yet', checkedAt: Date.now() }
      )
    },
  }
}

export type SmtpCheck = ReturnType<typeof createSmtpCheck>
