/**
 * Child process: closed-loop load with autocannon (`connections` requests in
 * flight, each sent as soon as the last answered), like many users at once.
 * Every register request uses a new address; every login connection signs in
 * as a user of its own, so the per-address throttle never mixes connections.
 */
import autocannon from 'autocannon'
import { childConfig, machineBusyMs, tell } from './child.ts'

export interface LoadConfig {
  url: string
  connections: number
  seconds: number
  /** `post` sends `{email: <prefix>-<n>@example.com}`; `login` cycles through `users`. */
  body: { kind: 'new-address'; prefix: string } | { kind: 'login'; users: string[]; password: string }
  /** Status codes that count as answered; anything else is an error. */
  expect: number[]
}

export interface LoadResult {
  requests: number
  perSecond: number
  p50: number
  p99: number
  /** Requests answered with a status outside `expect`, and socket errors/timeouts. */
  errors: number
  statuses: Record<string, number>
  /** CPU time of the whole machine (every process) per answered request over the load. */
  machineCpuMsPerRequest: number
}

const config = childConfig<LoadConfig>()
const { body } = config
let sent = 0
let nextUser = 0

function bodyFor(context: { user?: number }): string {
  if (body.kind === 'new-address') return JSON.stringify({ email: `${body.prefix}-${sent++}@example.com` })
  context.user ??= nextUser++ % body.users.length
  return JSON.stringify({ email: body.users[context.user], password: body.password })
}

const machineBefore = machineBusyMs()
const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.seconds,
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request, context) => ({ ...request, body: bodyFor(context as { user?: number }) }),
    },
  ],
})
const machineMs = machineBusyMs() - machineBefore

const statuses: Record<string, number> = Object.fromEntries(
  Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats?.count ?? 0]),
)
const answered = config.expect.reduce((sum, code) => sum + (statuses[code] ?? 0), 0)
tell({
  requests: answered,
  perSecond: answered / result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.requests.total - answered + result.errors + result.timeouts,
  statuses,
  machineCpuMsPerRequest: machineMs / Math.max(1, answered),
} satisfies LoadResult)
