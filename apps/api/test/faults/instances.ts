import { setTimeout as sleep } from 'node:timers/promises'
import { clusterUnavailable, type Stack, startSmtpServer, startStack, testPrefix } from '@authmail/testing'
import { address, FAULT_ENV, ownDatabase, RETRY_DELAYS_MS, readiness } from './helper.ts'

interface InstancesOptions {
  amqpUrl: string
  apis: 1 | 2
  workers: 1 | 2
}

/**
 * Several api and worker processes sharing one queue prefix, one database
 * (PostgreSQL when DATABASE_URL is set; one api on PGlite otherwise) and one
 * SMTP server: a scaled-out deployment. Stack `i` runs api `i` and worker `i`.
 */
export async function startInstances(options: InstancesOptions) {
  const db = await ownDatabase()
  if (!db && options.apis > 1) throw new Error('two apis need DATABASE_URL: PGlite is one process’s database')
  const smtp = await startSmtpServer()
  const env = {
    ...FAULT_ENV,
    // The SMTP server here never fails: its timeouts stay the product's, since a 1.5 s one on a
    // loaded machine resends mails the server did get, and those would be counted as the broker's duplicates.
    SMTP_CONNECTION_TIMEOUT_MS: '10000',
    SMTP_GREETING_TIMEOUT_MS: '10000',
    SMTP_SOCKET_TIMEOUT_MS: '30000',
    // The traffic stands for many users of one domain (example.com): at its rate a minute holds more
    // registrations than the default budget of 300 mails per domain, whose drops would count as lost.
    MAIL_BUDGET_PER_MINUTE: '100000',
    MAIL_BUDGET_PER_DOMAIN_PER_MINUTE: '100000',
    AMQP_URL: options.amqpUrl,
    QUEUE_PREFIX: testPrefix(),
  }
  const count = Math.max(options.apis, options.workers)
  const stacks: Stack[] = []
  for (let i = 0; i < count; i++) {
    stacks.push(await startStack({ smtp, databaseUrl: db?.url, retryDelaysMs: RETRY_DELAYS_MS, env }))
  }
  const apis = stacks.slice(0, options.apis)
  const workers = stacks.slice(0, options.workers)
  const close = async () => {
    for (const stack of stacks) await stack.close()
    await smtp.close()
    await db?.drop()
  }
  try {
    // One after the other: the first api migrates the database.
    for (const stack of apis) await stack.up('api')
    await Promise.all(workers.map((stack) => stack.up('worker')))
  } catch (error) {
    await close()
    throw error
  }
  return { smtp, apis, workers, prefix: env.QUEUE_PREFIX, close }
}

export type Instances = Awaited<ReturnType<typeof startInstances>>

/**
 * Registrations spread over every api, `concurrency` at a time with a pause
 * between them, until stopped. `accepted` holds the addresses answered 202.
 */
export function startTraffic(apis: Stack[], tag: string, { concurrency = 2, pauseMs = 40 } = {}) {
  let stopped = false
  let sent = 0
  const accepted: string[] = []
  const refused: string[] = []
  const lane = async () => {
    while (!stopped) {
      const n = sent++
      const email = address(tag, n)
      const api = apis[n % apis.length] as Stack
      const status = await api.post('/register', { email }).then(
        (r) => r.status,
        (error: Error) => error.message,
      )
      if (status === 202) accepted.push(email)
      else refused.push(`api ${n % apis.length}: ${status}`)
      await sleep(pauseMs)
    }
  }
  const lanes = Array.from({ length: concurrency }, lane)
  return {
    accepted,
    refused,
    async stop() {
      stopped = true
      await Promise.all(lanes)
    },
  }
}

/** The worker's probe address, from the "worker started" line it logs (its port is picked at random). */
function probesOf(worker: Stack): string | undefined {
  return /"probes":"(http:[^"]+)"/.exec(worker.logs.worker)?.[1]
}

/**
 * True when every api and every worker answers /readyz 200 on a RabbitMQ node
 * other than `avoid` (the one that was lost): a worker is ready only while it
 * consumes, so one that reconnected without consuming again does not count.
 */
export async function allReady(instances: Instances, avoid: string) {
  for (const api of instances.apis) {
    const ok = await readiness(api.baseUrl).then(
      (r) => r.status === 'ready' && r.brokerNode?.node !== avoid,
      () => false,
    )
    if (!ok) return false
  }
  for (const worker of instances.workers) {
    const probes = probesOf(worker)
    if (!probes) return false
    const ok = await fetch(`${probes}/readyz`).then(
      async (r) => {
        const body = (await r.json()) as { ready?: boolean; brokerNode?: { node?: string } | null }
        return r.ok && body.ready === true && body.brokerNode?.node !== avoid
      },
      () => false,
    )
    if (!ok) return false
  }
  return true
}

/** Polls {@link allReady} until it holds; the milliseconds since `since`. */
export async function untilAllReady(instances: Instances, avoid: string, since: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await allReady(instances, avoid))) {
    if (Date.now() > deadline)
      throw new Error(`not every api and worker ready off ${avoid} within ${timeoutMs} ms`)
    await sleep(100)
  }
  return Date.now() - since
}

/**
 * Why a cluster fault test is skipped, or false to run it: both need one PostgreSQL for two apis and
 * a cluster this machine can start.
 */
export function clusterFaultSkip(): string | false {
  if (!process.env.DATABASE_URL) return 'needs DATABASE_URL: two apis share one PostgreSQL'
  return clusterUnavailable() ?? false
}

/** How many times every api and worker together logged `text`. */
export const logCount = (instances: Instances, text: string) =>
  instances.apis
    .concat(instances.workers.filter((worker) => !instances.apis.includes(worker)))
    .map((stack) => `${stack.logs.api}${stack.logs.worker}`.split(text).length - 1)
    .reduce((a, b) => a + b, 0)

/**
 * Where the jobs of `missing` addresses are, printed when a cluster fault test finds some not
 * mailed: each one's outbox row (published or not), every queue of the prefix on a surviving
 * node, and what the processes logged about it. "Published but never consumed" and "never
 * published" need different fixes.
 */
export async function explainMissing(
  instances: Instances,
  cluster: { ctl(i: number, ...args: string[]): Promise<string> },
  survivor: number,
  missing: string[],
) {
  if (missing.length === 0) return
  const databaseUrl = instances.apis[0]?.env.DATABASE_URL
  const ids: string[] = []
  const lines: string[] = [`missing ${missing.length}: ${missing.slice(0, 5).join(' ')}`]
  if (databaseUrl) {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      const { rows } = await client.query<{ id: string; published: boolean; attempts: number }>(
        `SELECT id, published_at IS NOT NULL AS published, attempts FROM outbox
          WHERE kind = 'mail' AND payload->>'email' = ANY($1)`,
        [missing],
      )
      const published = rows.filter((row) => row.published).length
      lines.push(
        `outbox rows: ${rows.length}, published ${published}, attempts ${rows.map((r) => r.attempts).join(',')}`,
      )
      ids.push(...rows.map((row) => row.id))
    } finally {
      await client.end()
    }
  }
  const queues = await cluster
    .ctl(
      survivor,
      'list_queues',
      'name',
      'type',
      'messages_ready',
      'messages_unacknowledged',
      'consumers',
      'leader',
      'online',
    )
    .catch((error: Error) => `list_queues failed: ${error.message}`)
  lines.push(
    ...queues
      .split('\n')
      .filter((line) => line.startsWith(instances.prefix))
      .map((line) => `queue ${line}`),
  )
  for (const email of [...missing.slice(0, 3), ...ids.slice(0, 3)]) {
    for (const stack of [...instances.apis, ...instances.workers]) {
      for (const text of [stack.logs.api, stack.logs.worker]) {
        for (const line of text.split('\n').filter((l) => l.includes(email)))
          lines.push(`log: ${line.slice(0, 400)}`)
      }
    }
  }
  // Every distinct warning and error of each process, with how often it came and the first reason.
  for (const [i, stack] of [...instances.apis, ...instances.workers].entries()) {
    const seen = new Map<string, number>()
    for (const line of `${stack.logs.api}\n${stack.logs.worker}`.split('\n')) {
      const entry = (() => {
        try {
          return JSON.parse(line) as {
            level?: number
            msg?: string
            reason?: unknown
            err?: { message?: string }
          }
        } catch {
          return null
        }
      })()
      if (!entry || (entry.level ?? 0) < 40) continue
      const key = `${entry.msg} | ${String(entry.reason ?? entry.err?.message ?? '').slice(0, 200)}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
    }
    for (const [key, count] of seen) lines.push(`stack ${i}: ${count}× ${key}`)
  }
  console.log(lines.join('\n'))
}
