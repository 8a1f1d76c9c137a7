import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './ports.ts'
import { deleteTestTopology, TEST_AMQP_URL, testPrefix } from './rabbit.ts'
import type { TestSmtpServer } from './smtp-server.ts'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const ENTRY = {
  api: join(ROOT, 'apps/api/src/server.ts'),
  worker: join(ROOT, 'apps/worker/src/main.ts'),
} as const

/** tsx by absolute URL: the processes run in an empty folder where a bare `tsx` would not resolve. */
const TSX = import.meta.resolve('tsx')
/** How long a process of the stack may take to start: a bound on a hang, not a speed target. */
const START_TIMEOUT_MS = 90_000

export type ProcessName = keyof typeof ENTRY

export const STACK_SECRET = 'stack-test-secret-at-least-32-bytes-long!'

export interface StackOptions {
  smtp: TestSmtpServer
  /** PostgreSQL for the api; PGlite in a temporary folder when unset. */
  databaseUrl?: string
  /** Extra variables for both processes. */
  env?: Record<string, string>
  /** Extra variables for one process, e.g. its own AMQP_URL through a proxy that a test can cut. */
  envFor?: Partial<Record<ProcessName, Record<string, string>>>
  retryDelaysMs?: readonly number[]
}

/**
 * The real api and worker as separate processes, the way a user runs them,
 * on their own queue prefix and database, so tests can stop, kill and restart
 * either one. Both run in an empty folder so no developer's `.env` leaks in.
 */
export async function startStack(options: StackOptions) {
  const prefix = testPrefix()
  const workDir = mkdtempSync(join(tmpdir(), 'authmail-stack-'))
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const retryDelaysMs = options.retryDelaysMs ?? [300, 600, 900]
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: baseUrl,
    AMQP_URL: TEST_AMQP_URL,
    QUEUE_PREFIX: prefix,
    RETRY_DELAYS_MS: retryDelaysMs.join(','),
    DATA_DIR: join(workDir, 'data'),
    JWT_SECRET: STACK_SECRET,
    SMTP_URL: options.smtp.url,
    SMTP_CA_FILE: options.smtp.caFile,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    IP_RATE_LIMIT_PER_MINUTE: '100000',
    // The worker's probes on a free port: stacks run side by side, never on the default 5002.
    WORKER_HTTP_PORT: '0',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  }
  // A migrated PGlite directory (scripts/test.ts makes one per run): copying it spares the api an initdb on disk.
  const dataDirTemplate = process.env.AUTHMAIL_PGLITE_DATA_DIR_TEMPLATE
  if (dataDirTemplate && !options.databaseUrl && !options.env?.DATA_DIR) {
    cpSync(dataDirTemplate, env.DATA_DIR as string, { recursive: true })
  }
  const children = new Map<ProcessName, ChildProcess>()
  const logs: Record<ProcessName, string> = { api: '', worker: '' }

  function start(name: ProcessName): ChildProcess {
    const child = spawn(process.execPath, ['--conditions=@authmail/source', '--import', TSX, ENTRY[name]], {
      cwd: workDir,
      env: { ...env, ...options.envFor?.[name] },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const collect = (chunk: Buffer) => {
      logs[name] += chunk.toString()
      if (process.env.STACK_LOGS) process.stderr.write(`[${name}] ${chunk}`)
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    children.set(name, child)
    return child
  }

  async function stop(name: ProcessName, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000) {
    const child = children.get(name)
    children.delete(name)
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null
    const exited = once(child, 'exit')
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const [code] = await exited
    clearTimeout(timer)
    return code as number | null
  }

  /** Resolves once `text` appears in the process's output after `from` characters. */
  async function waitForLog(name: ProcessName, text: string | RegExp, { from = 0, timeoutMs = 60_000 } = {}) {
    const deadline = Date.now() + timeoutMs
    const found = () => {
      const tail = logs[name].slice(from)
      return typeof text === 'string' ? tail.includes(text) : text.test(tail)
    }
    while (!found()) {
      if (Date.now() > deadline)
        throw new Error(`${name} did not log ${text} within ${timeoutMs} ms:\n${logs[name]}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /**
   * Polls /readyz until the api has its database and broker. The bound is generous: under
   * tsx a cold start compiles every module, which takes tens of seconds on a busy 2-core machine.
   */
  const apiReady = (timeoutMs = START_TIMEOUT_MS) => apiAnswers('/readyz', timeoutMs)

  /** Polls `path` until it answers 2xx, failing early if the api process is gone. */
  async function apiAnswers(path: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const ok = await fetch(`${baseUrl}${path}`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) return
      if (!children.get('api') || children.get('api')?.exitCode !== null) {
        throw new Error(`api exited before it was ready:\n${logs.api}`)
      }
      if (Date.now() > deadline)
        throw new Error(`api: no 2xx on ${path} within ${timeoutMs} ms:\n${logs.api}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  return {
    baseUrl,
    prefix,
    env,
    logs,
    start,
    stop,
    waitForLog,
    apiReady,
    /** Polls /healthz: the api listens, whether or not its broker is reachable. */
    apiLive: (timeoutMs = START_TIMEOUT_MS) => apiAnswers('/healthz', timeoutMs),
    /** Starts (or restarts) a process and waits until it is connected. */
    async up(name: ProcessName) {
      const from = logs[name].length
      start(name)
      if (name === 'api') await apiReady()
      else await waitForLog(name, 'connected to RabbitMQ', { from, timeoutMs: START_TIMEOUT_MS })
    },
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': randomUUID(), ...headers },
        body: JSON.stringify(body),
      }),
    async close() {
      await Promise.all([...children.keys()].map((name) => stop(name)))
      // The worker's short retry queues, and the default ones the api declares.
      await deleteTestTopology(prefix, retryDelaysMs).catch(() => {})
      await deleteTestTopology(prefix).catch(() => {})
      rmSync(workDir, { recursive: true, force: true })
    },
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>
