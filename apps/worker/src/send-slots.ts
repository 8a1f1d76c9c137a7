/**
 * At most `size` jobs compose and send at once; the others wait, in arrival order, holding
 * nothing but their broker message.
 *
 * The prefetch window (WORKER_PREFETCH) stays wide so jobs waiting on their receipt's confirm
 * never leave the SMTP pool idle, but a job needs its mail only once a connection is about to
 * take it: composed on arrival, 64 rendered mails and their MIME trees sat in nodemailer's queue
 * (30–55 on average under load), long enough for V8 to move them to the old generation — garbage
 * collection time and resident memory without a mail more per second. A few mails queued per
 * connection, as the bench's raw nodemailer floor keeps, is all the pool needs.
 */
export function createSendSlots(size: number) {
  let free = size
  const waiting: (() => void)[] = []

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (free > 0) free -= 1
      else await new Promise<void>((resolve) => waiting.push(resolve))
      try {
        return await task()
      } finally {
        // The slot passes straight to the next job: no moment where a newcomer could jump the queue.
        const next = waiting.shift()
        if (next) next()
        else free += 1
      }
    },
  }
}

export type SendSlots = ReturnType<typeof createSendSlots>

/** Mails queued per pooled connection: one on the wire, the next ones ready behind it. */
export const SENDS_PER_CONNECTION = 4
