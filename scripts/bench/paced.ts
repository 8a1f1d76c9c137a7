/**
 * Child process: open-loop load at a fixed rate (requests go out on schedule
 * whether or not earlier ones answered, as independent users do), recording
 * when each was sent and how long it took. Register requests use new addresses.
 */
import { Agent, request } from 'node:http'
import { childConfig, tell, wallClock } from './child.ts'

export interface PacedConfig {
  url: string
  method: 'GET' | 'POST'
  perSecond: number
  seconds: number
  /** POST: each request registers `<prefix>-<n>@example.com`. */
  prefix?: string
}

export interface PacedSample {
  email: string | null
  sentAt: number
  ms: number
  status: number
}

const config = childConfig<PacedConfig>()
const agent = new Agent({ keepAlive: true, maxSockets: 512 })
const samples: PacedSample[] = []
const pending = new Set<Promise<void>>()

function send(n: number): Promise<void> {
  const email = config.prefix ? `${config.prefix}-${n}@example.com` : null
  const payload = email ? JSON.stringify({ email }) : undefined
  const sentAt = wallClock()
  return new Promise((resolve) => {
    const req = request(
      config.url,
      {
        method: config.method,
        agent,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        res.resume()
        res.on('end', () => {
          samples.push({ email, sentAt, ms: wallClock() - sentAt, status: res.statusCode ?? 0 })
          resolve()
        })
      },
    )
    req.on('error', () => {
      samples.push({ email, sentAt, ms: wallClock() - sentAt, status: 0 })
      resolve()
    })
    req.end(payload)
  })
}

const started = wallClock()
const total = Math.round(config.perSecond * config.seconds)
let sent = 0
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    // Catch up to the schedule: a late timer sends what is due, so the rate holds.
    const due = Math.min(total, Math.floor(((wallClock() - started) / 1000) * config.perSecond))
    while (sent < due) {
      const work = send(sent++)
      pending.add(work)
      void work.finally(() => pending.delete(work))
    }
    if (sent >= total) {
      clearInterval(tick)
      resolve()
    }
  }, 2)
})
await Promise.all(pending)
agent.destroy()
tell(samples)
