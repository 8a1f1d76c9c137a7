/** What the test SMTP server does wrong, and at which step of the transaction. */
export type FaultCode = '421' | '450' | '550'
export type FaultStage = 'rcpt' | 'data'

export type Fault =
  | { kind: 'reply'; code: FaultCode; at: FaultStage }
  | { kind: 'stall' } // swallow the message after DATA and never answer
  | { kind: 'drop'; at: FaultStage } // cut the TCP connection
  | { kind: 'slow'; ms: number } // take the message, answer 250 only after `ms`

const REPLIES: Record<FaultCode, string> = {
  '421': 'Service not available, closing transmission channel',
  '450': 'Mailbox unavailable, try again later',
  '550': 'No such user here',
}

/** An error the smtp-server package turns into the given reply. */
export function replyError(code: FaultCode): Error & { responseCode: number } {
  return Object.assign(new Error(REPLIES[code]), { responseCode: Number(code) })
}

const stageOf = (fault: Fault): FaultStage => ('at' in fault ? fault.at : 'data')

/** The current fault, switchable at runtime, used up after `times` transactions. */
export function createFaults() {
  let current: { fault: Fault; remaining: number } | null = null
  return {
    set(fault: Fault, times = Number.POSITIVE_INFINITY) {
      current = { fault, remaining: times }
    },
    clear() {
      current = null
    },
    /** The fault to apply at `stage` now, counting it as used. */
    take(stage: FaultStage): Fault | null {
      if (!current || stageOf(current.fault) !== stage) return null
      const { fault } = current
      current.remaining -= 1
      if (current.remaining <= 0) current = null
      return fault
    },
  }
}
