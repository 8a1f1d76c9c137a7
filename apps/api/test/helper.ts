import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import type { TestContext } from 'node:test'
import { type Broker, createBroker } from '@authmail/broker'
import type { AuthmailEvent, MailJob } from '@authmail/contracts'
import { loggerOptions } from '@authmail/logger'
import { deleteTestTopology } from '@authmail/testing'
import { accessKeyPem, generateAccessKey } from '@authmail/tokens'
import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import app from '../src/app.ts'
import { type Env, readEnv } from '../src/env.ts'
import { serverOptions } from '../src/http/server-options.ts'
import { freshPglite } from './pglite-template.ts'

export type Store = 'pglite' | 'postgres'

/** PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it). */
export function stores(): Store[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
}

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long'

const cleanups = new WeakMap<TestContext, (() => Promise<void>)[]>()

/**
 * Runs `fn` when the test ends, last registered first: what was opened later
 * (an api on a database) is closed before what it depends on (the database).
 * node:test runs `t.after` hooks in registration order, which would drop a
 * database while an api's pool is still connected to it.
 */
export function cleanup(t: TestContext, fn: () => Promise<void>) {
  let fns = cleanups.get(t)
  if (!fns) {
    const list: (() => Promise<void>)[] = []
    fns = list
    cleanups.set(t, list)
    t.after(async () => {
      for (const next of list.splice(0).reverse()) await next()
    })
  }
  fns.push(fn)
}

/** A fresh PostgreSQL database for one test, dropped when the test ends, after the apps built on it closed. */
export async function freshDatabase(t: TestContext): Promise<string> {
  const base = process.env.DATABASE_URL
  if (!base) throw new Error('DATABASE_URL is not set')
  const name = `authmail_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  cleanup(t, async () => {
    const c = new pg.Client({ connectionString: base })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.end()
  })
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

export interface BuildOptions {
  store?: Store
  env?: Record<string, string>
  now?: () => number
  /** Share another app's database (two api instances). */
  databaseUrl?: string
  prefix?: string
  /** A PGlite directory on disk, opened as `pnpm api` opens it, instead of a clone of the template. */
  dataDir?: string
  /** Where the log goes, with the production logger options (redaction), instead of nowhere. */
  logStream?: Writable
}

/** Writes an access-token key file (as `pnpm start` does) into a folder removed when the process exits. */
export function writeAccessKeyFile(name = 'access-token-key.pem'): string {
  const dir = mkdtempSync(join(tmpdir(), 'authmail-keys-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, name)
  writeFileSync(path, accessKeyPem(generateAccessKey()), { mode: 0o600 })
  return path
}

let sharedKeyFile: string | undefined

export function testEnv(overrides: Record<string, string> = {}): Env {
  sharedKeyFile ??= writeAccessKeyFile()
  return readEnv({
    JWT_SECRET: TEST_SECRET,
    // One key file for the whole test process, so two api instances of a test agree like in production.
    ACCESS_TOKEN_KEY_FILE: sharedKeyFile,
    AMQP_URL,
    DATA_DIR: 'memory://',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    IP_RATE_LIMIT_PER_MINUTE: '10000',
    ...overrides,
  })
}

/**
 * What to close before a test's api closes. Consumers must stop before the
 * topology is deleted: a consumer whose queue vanishes reconnects and
 * declares it again, leaving queues behind.
 */
const closeFirst = new WeakMap<FastifyInstance, (() => Promise<void>)[]>()

/** Runs `close` when the test ends, before `api` closes and its queues are deleted. */
export function closeBeforeApi(t: TestContext, api: FastifyInstance, close: () => Promise<void>) {
  const closers = closeFirst.get(api)
  if (closers) closers.push(close)
  else cleanup(t, close)
}

/** Builds the api without listening (tests use `inject`), on its own database and queue prefix. */
export async function build(t: TestContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const store = options.store ?? 'pglite'
  const prefix = options.prefix ?? `test.${randomUUID().slice(0, 8)}.`
  const databaseUrl = options.databaseUrl ?? (store === 'postgres' ? await freshDatabase(t) : undefined)
  const env = testEnv({
    QUEUE_PREFIX: prefix,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...options.env,
  })
  const logger = options.logStream
    ? { ...loggerOptions(env.LOG_LEVEL, 'api'), stream: options.logStream }
    : { level: env.LOG_LEVEL }
  const server = Fastify({ ...serverOptions(env), logger })
  const db = databaseUrl || options.dataDir ? undefined : await freshPglite()
  await server.register(app, { env, now: options.now, db })
  await server.ready()
  closeFirst.set(server, [])
  cleanup(t, async () => {
    for (const close of closeFirst.get(server) ?? []) await close()
    await server.close()
    if (!options.prefix) await deleteTestTopology(prefix).catch(() => {})
  })
  return server
}

/** Collects the jobs the api publishes, by consuming mail.jobs in place of the worker. */
export async function collectJobs(t: TestContext, api: FastifyInstance) {
  const jobs: MailJob[] = []
  const waiters: (() => void)[] = []
  const broker: Broker = createBroker({
    urls: [AMQP_URL],
    prefix: api.env.QUEUE_PREFIX,
    name: 'test-collector',
    logger: { info() {}, warn() {}, error() {}, debug() {} },
  })
  broker.start()
  await broker.whenConnected()
  await broker.consume(
    broker.names.jobs,
    async (message, settle) => {
      jobs.push(JSON.parse(message.content.toString()))
      settle.ack()
      for (const wake of waiters.splice(0)) wake()
    },
    { prefetch: 50 },
  )
  closeBeforeApi(t, api, () => broker.close())
  return {
    jobs,
    /** Resolves when `count` jobs arrived (or rejects after the timeout). */
    async waitFor(count: number, timeoutMs = 10_000): Promise<MailJob[]> {
      const deadline = Date.now() + timeoutMs
      while (jobs.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} jobs, got ${jobs.length}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 200)
        })
      }
      return jobs
    },
  }
}

/**
 * The mail jobs the api wrote to its outbox, oldest first. A job is written in
 * the same transaction as the request's change, so once `inject` has answered
 * its row is there: nothing to wait for, and a job that should not exist is
 * seen as surely as one that should.
 */
export async function outboxJobs(api: FastifyInstance): Promise<MailJob[]> {
  const { rows } = await api.db.query<{ payload: MailJob }>(
    "SELECT payload FROM outbox WHERE kind = 'mail' ORDER BY created_at, id",
  )
  return rows.map((row) => row.payload)
}

/** The lifecycle events in the outbox, oldest first (what the relay publishes to authmail.events). */
export async function outboxEvents(api: FastifyInstance): Promise<AuthmailEvent[]> {
  const { rows } = await api.db.query<{ payload: AuthmailEvent }>(
    `SELECT payload FROM outbox WHERE kind = 'event' ORDER BY created_at, id`,
  )
  return rows.map((r) => r.payload)
}
