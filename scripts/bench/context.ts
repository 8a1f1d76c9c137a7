/**
 * Everything one bench run shares: the SMTP sink, the api and worker
 * processes on a queue prefix and database of their own, and the bench's
 * connection to RabbitMQ.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { deleteTestTopology } from '../../packages/testing/src/rabbit.ts'
import { type AppForm, type AppName, createApps, saying } from './apps.ts'
import { openRabbit } from './rabbit.ts'
import { startSink } from './sink.ts'

export interface BenchOptions {
  seconds: number
  backlog: number
  connections: number
  databaseUrl: string | undefined
  amqpUrl: string
  form: AppForm
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export async function createContext(options: BenchOptions) {
  const run = randomUUID().slice(0, 8)
  const prefix = `bench.${run}.`
  const workDir = mkdtempSync(join(tmpdir(), 'authmail-bench-'))
  const dataDir = join(workDir, 'data')
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const sink = await startSink()
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: baseUrl,
    AMQP_URL: options.amqpUrl,
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(32).toString('hex'),
    SMTP_URL: sink.url,
    SMTP_CA_FILE: sink.caFile,
    // The worker's probes are not measured; a free port keeps two benches from colliding.
    WORKER_HTTP_PORT: '0',
    // The load stands for many users: the per-IP limit would otherwise answer 429.
    IP_RATE_LIMIT_PER_MINUTE: '100000000',
    // Likewise the mail budgets: the bench's addresses share one domain, which a real crowd does not.
    MAIL_BUDGET_PER_MINUTE: '100000000',
    MAIL_BUDGET_PER_DOMAIN_PER_MINUTE: '100000000',
    // Every enumeration request takes the full path (a mail queued), which is what is compared.
    RESEND_COOLDOWN_SECONDS: '0',
    // What a user gets without a LOG_LEVEL; the bench also reads these lines.
    LOG_LEVEL: 'info',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    // BENCH_ENV_WORKER_PREFETCH=64 sets WORKER_PREFETCH=64 for both apps: trying a setting needs no edit.
    ...Object.fromEntries(
      Object.entries(process.env).flatMap(([name, value]) =>
        name.startsWith('BENCH_ENV_') && value !== undefined
          ? [[name.slice('BENCH_ENV_'.length), value]]
          : [],
      ),
    ),
  }
  const apps = createApps(env, workDir, options.form)
  const rabbit = await openRabbit(options.amqpUrl, prefix)

  async function readyz(): Promise<{ status: number; pending: number | null }> {
    const res = await fetch(`${baseUrl}/readyz`).catch(() => null)
    if (!res) return { status: 0, pending: null }
    const body = (await res.json().catch(() => ({}))) as { outbox?: { pending?: number } | null }
    return { status: res.status, pending: body.outbox?.pending ?? null }
  }

  return {
    options,
    run,
    prefix,
    baseUrl,
    dataDir,
    env,
    sink,
    apps,
    rabbit,
    readyz,

    /** Starts an app; resolves with the time (pino `time`, ms) it connected to RabbitMQ and listened. */
    async up(name: AppName): Promise<{ connectedAt: number; listeningAt: number | null }> {
      const connected = apps.waitFor(name, saying('connected to RabbitMQ'))
      const listening = name === 'api' ? apps.waitFor(name, saying('Server listening')) : null
      apps.start(name)
      const [c, l] = await Promise.all([connected, listening])
      if (name === 'api') {
        for (let i = 0; (await readyz()).status !== 200; i++) {
          if (i > 600) throw new Error(`api never became ready:\n${apps.tail('api')}`)
          await sleep(50)
        }
      }
      return { connectedAt: c.time ?? Date.now(), listeningAt: l?.time ?? null }
    },

    /** Waits until the outbox is published and mail.jobs has nothing ready, so figures do not overlap. */
    async settle(timeoutMs = 120_000): Promise<void> {
      const deadline = Date.now() + timeoutMs
      while ((await readyz()).pending !== 0 || (await rabbit.jobsWaiting()) !== 0) {
        if (Date.now() > deadline) throw new Error('the outbox or mail.jobs did not empty')
        await sleep(50)
      }
      await sleep(300)
    },

    async close(): Promise<void> {
      await apps.stopAll()
      await rabbit.close()
      await sink.close()
      await deleteTestTopology(prefix, undefined, options.amqpUrl).catch(() => {})
      rmSync(workDir, { recursive: true, force: true })
    },
  }
}

export type Context = Awaited<ReturnType<typeof createContext>>
