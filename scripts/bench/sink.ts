import { type Child, startChild } from './child.ts'
import type { SinkInfo } from './smtp-sink.ts'

/** The SMTP sink child, seen from the bench. */
export async function startSink() {
  const child: Child = startChild('smtp-sink.ts', {})
  const info = await child.next<SinkInfo>()
  return {
    ...info,
    count: () => child.ask<number>({ op: 'count' }),
    /** Recipient → arrival time of every mail to an address starting with `prefix`. */
    times: async (prefix: string) => new Map(await child.ask<[string, number][]>({ op: 'times', prefix })),
    /** Arrival time of the `count`-th mail since the sink started. */
    async waitFor(count: number, timeoutMs: number): Promise<number> {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(async () => {
          reject(
            new Error(
              `sink: ${await child.ask<number>({ op: 'count' })} of ${count} mails within ${timeoutMs} ms`,
            ),
          )
        }, timeoutMs)
      })
      try {
        return await Promise.race([child.ask<number>({ op: 'waitFor', count }), timeout])
      } finally {
        clearTimeout(timer)
      }
    },
    close: () => child.stop(),
  }
}

export type Sink = Awaited<ReturnType<typeof startSink>>
