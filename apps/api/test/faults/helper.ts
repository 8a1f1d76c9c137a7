import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import {
  type ReceivedMail,
  type StackOptions,
  startSmtpServer,
  startStack,
  startTcpProxy,
  type TcpProxy,
  TEST_AMQP_URL,
} from '@authmail/testing'
import pg from 'pg'

/** Short retries and SMTP timeouts, so every fault resolves in seconds. */
export const RETRY_DELAYS_MS = [300, 600, 900] as const
export const PREFETCH = 8
export const FAULT_ENV = {
  SMTP_CONNECTION_TIMEOUT_MS: '2000',
  SMTP_GREETING_TIMEOUT_MS: '2000',
  SMTP_SOCKET_TIMEOUT_MS: '1500',
  WORKER_PREFETCH: String(PREFETCH),
  WORKER_SHUTDOWN_TIMEOUT_MS: '3000',
}

/** A proxy in front of the local RabbitMQ that a test can cut. */
export const rabbitProxy = () => {
  const url = new URL(TEST_AMQP_URL)
  return startTcpProxy({ host: url.hostname, port: Number(url.port) || 5672 })
}

/** A database of its own on DATABASE_URL's server (PostgreSQL), or undefined for PGlite. */
export async function ownDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const base = process.env.DATABASE_URL
  if (!base) return undefined
  const name = `authmail_fault_${randomBytes(6).toString('hex')}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: base })
    await client.connect()
    await client.query(sql).finally(() => client.end())
  }
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(base)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

interface FaultStackOptions extends Pick<StackOptions, 'envFor'> {
  /** The api's database; by default one of its own on DATABASE_URL's server, else PGlite. */
  databaseUrl?: string
  env?: Record<string, string>
  /** Proxies and databases to close after the stack. */
  cleanup?: (() => Promise<unknown>)[]
}

/**
 * The real api and worker processes, a misbehaving SMTP server and short retry
 * delays. `close` ends everything (processes, queues, proxies, database) in the
 * order that lets each part shut down cleanly; given a test context it runs in `t.after`.
 */
export async function faultStack(
  t: { after(fn: () => Promise<void>): void } | null,
  options: FaultStackOptions = {},
) {
  const db = options.databaseUrl ? undefined : await ownDatabase()
  const smtp = await startSmtpServer()
  const stack = await startStack({
    smtp,
    databaseUrl: options.databaseUrl ?? db?.url,
    retryDelaysMs: RETRY_DELAYS_MS,
    env: { ...FAULT_ENV, ...options.env },
    envFor: options.envFor,
  })
  const close = async () => {
    await stack.close()
    await smtp.close()
    for (const step of options.cleanup ?? []) await step().catch(() => {})
    await db?.drop()
  }
  t?.after(close)
  return { smtp, stack, close }
}

/** Every process of the stack talks to RabbitMQ through `proxy`. */
export const through = (proxy: TcpProxy) => ({ AMQP_URL: proxy.via(TEST_AMQP_URL) })

export const address = (tag: string, i: number) => `${tag}-${i}-${randomBytes(3).toString('hex')}@example.com`

/** Waits until each address got a mail (or the time is up) and says how many did. */
export async function waitForAll(smtp: { mails: ReceivedMail[] }, emails: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  const delivered = () => emails.filter((e) => smtp.mails.some((m) => m.to.includes(e))).length
  while (delivered() < emails.length && Date.now() < deadline) await sleep(50)
  return delivered()
}

/** Mails that repeat a Message-ID (one per job) already received: the same job sent twice. */
export function duplicates(mails: ReceivedMail[]): number {
  const ids = mails.map((m) => m.parsed.messageId ?? '')
  return ids.length - new Set(ids).size
}

/** The one line a fault test prints: what it counted. */
export function report(fault: string, counts: Record<string, number | string>) {
  const fields = Object.entries(counts).map(([key, value]) => `${key}=${value}`)
  console.log(`fault ${fault}: ${fields.join(' ')}`)
}

/** Polls until `check` holds, or throws with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(100)
  }
}

export interface Readiness {
  status: string
  database: string
  broker: string
  brokerNode: { node: string; cluster?: string } | null
  outbox: { pending: number; oldestSeconds: number } | null
}

export const readiness = async (baseUrl: string) =>
  (await (await fetch(`${baseUrl}/readyz`)).json()) as Readiness

/** The one id the `dlq list` table shows for a dead job of `reason`. */
export function deadIdIn(listing: string, reason: string): string | undefined {
  return listing
    .split('\n')
    .find((line) => line.includes(reason))
    ?.split(/\s+/)[0]
}

/** `pnpm --filter @authmail/worker dlq …`, the documented operator command, on the stack's queues. */
export async function dlq(stack: { env: Record<string, string> }, ...args: string[]) {
  const { AMQP_URL, QUEUE_PREFIX, RETRY_DELAYS_MS, PATH } = stack.env
  const { stdout } = await promisify(execFile)(
    'pnpm',
    ['-s', '--filter', '@authmail/worker', 'dlq', ...args],
    {
      env: { PATH, AMQP_URL, QUEUE_PREFIX, RETRY_DELAYS_MS },
    },
  )
  return stdout
}

/** `step`, or its error with the end of each process's log: a fault test that fails says what the processes saw. */
export async function withLogs<T>(stack: { logs: Record<string, string> }, step: Promise<T>): Promise<T> {
  try {
    return await step
  } catch (error) {
    const tails = Object.entries(stack.logs).map(
      ([name, log]) => `--- ${name} log (end):\n${log.slice(-4000)}`,
    )
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tails.join('\n')}`)
  }
}
