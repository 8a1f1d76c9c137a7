import { setTimeout as sleep } from 'node:timers/promises'
import { type Stack, startSmtpServer, startStack, testPrefix } from '@authmail/testing'
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
  const env = { ...FAULT_ENV, AMQP_URL: options.amqpUrl, QUEUE_PREFIX: testPrefix() }
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

/**
 * True when every api answers /readyz 200 and every worker that lost its
 * connection since `from` (a log offset per worker) has connected again,
 * which it logs only after its consumer is back.
 */
export async function allReady(instances: Instances, from: number[]) {
  for (const api of instances.apis) {
    const ok = await readiness(api.baseUrl).then(
      (r) => r.status === 'ready',
      () => false,
    )
    if (!ok) return false
  }
  return instances.workers.every((worker, i) => {
    const log = worker.logs.worker.slice(from[i] ?? 0)
    const lost = log.lastIndexOf('lost RabbitMQ')
    return lost === -1 || log.indexOf('connected to RabbitMQ', lost) !== -1
  })
}

/** Polls {@link allReady} until it holds; the milliseconds since `since`. */
export async function untilAllReady(instances: Instances, from: number[], since: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await allReady(instances, from))) {
    if (Date.now() > deadline) throw new Error(`not every api and worker ready within ${timeoutMs} ms`)
    await sleep(100)
  }
  return Date.now() - since
}

export const workerLogOffsets = (instances: Instances) => instances.workers.map((w) => w.logs.worker.length)
