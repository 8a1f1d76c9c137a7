import { randomBytes, randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import type { TestContext } from 'node:test'
import type { MailJob } from '@authmail/contracts'
import { loggerOptions } from '@authmail/logger'
import {
  deleteTestTopology,
  openTestRabbit,
  type SmtpServerOptions,
  startSmtpServer,
  TEST_AMQP_URL,
  testPrefix,
} from '@authmail/testing'
import { createTokens } from '@authmail/tokens'
import pino from 'pino'
import { loadWorkerEnv } from '../src/env.ts'
import { createWorker } from '../src/worker.ts'

export const PUBLIC_BASE_URL = 'https://accounts.example.test'

/** What the composer reads from the worker's env: the origin of links and the default lifetimes. */
export const COMPOSE_ENV = {
  PUBLIC_BASE_URL,
  VERIFY_EMAIL_TTL: 86_400,
  SET_PASSWORD_TTL: 86_400,
  RESET_PASSWORD_TTL: 3_600,
  CHANGE_EMAIL_TTL: 86_400,
  REVERT_EMAIL_TTL: 604_800,
  UNVERIFIED_ACCOUNT_TTL: 172_800,
  LOGIN_CODE_TTL: 600,
  INVITE_TTL: 604_800,
  APP_LOGIN_URL: `${PUBLIC_BASE_URL}/login`,
}

/** Link tokens signed as the worker signs them, with a test secret. */
export const testTokens = () =>
  createTokens({
    secret: 'a-test-secret-that-is-long-enough-000',
    issuer: PUBLIC_BASE_URL,
    ttl: { set_password: 86_400, verify_email: 86_400, reset_password: 3_600, login_email: 600, access: 1 },
  })

/** The environment a test worker runs with: short retries and timeouts so faults resolve in seconds. */
export function testEnv(overrides: Record<string, string | undefined> = {}) {
  return {
    AMQP_URL: TEST_AMQP_URL,
    QUEUE_PREFIX: testPrefix(),
    RETRY_DELAYS_MS: '300,600,900',
    JWT_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_BASE_URL,
    SMTP_CONNECTION_TIMEOUT_MS: '2000',
    SMTP_GREETING_TIMEOUT_MS: '2000',
    SMTP_SOCKET_TIMEOUT_MS: '1000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'debug',
    // A free port: test workers run side by side, never on the default 5002.
    WORKER_HTTP_PORT: '0',
    ...overrides,
  }
}

/** Log lines of a worker, parsed, so tests can check what reaches (and never reaches) the logs. */
function captureLogs(level: string) {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  return { lines, logger: pino(loggerOptions(level, 'worker'), stream) }
}

interface BuildOptions {
  smtp?: SmtpServerOptions
  /** Leave out SMTP_CA_FILE: the worker then trusts only the system roots. */
  untrusted?: boolean
  env?: Record<string, string | undefined>
}

/** A worker on its own queue prefix, a real SMTP server and a test's view of RabbitMQ; all closed in t.after. */
export async function build(t: TestContext, options: BuildOptions = {}) {
  const smtp = await startSmtpServer(options.smtp)
  const raw = testEnv({
    SMTP_URL: smtp.url,
    SMTP_CA_FILE: options.untrusted ? undefined : smtp.caFile,
    ...options.env,
  })
  const env = loadWorkerEnv(raw)
  const logs = captureLogs(env.LOG_LEVEL)
  const worker = createWorker(env, logs.logger)
  const rabbit = await openTestRabbit(env.QUEUE_PREFIX, env.RETRY_DELAYS_MS)
  t.after(async () => {
    await worker.stop(1000)
    await rabbit.close()
    await deleteTestTopology(env.QUEUE_PREFIX, env.RETRY_DELAYS_MS)
    await smtp.close()
  })
  await worker.start()
  await worker.broker.whenConnected(10_000)
  const tokens = createTokens({
    secret: env.JWT_SECRET,
    issuer: env.PUBLIC_BASE_URL,
    ttl: { set_password: 1, verify_email: 1, reset_password: 1, login_email: 600, access: 1 },
  })
  return { env, raw, smtp, worker, rabbit, tokens, logs: logs.lines }
}

/** A valid job of each kind, for a fresh user unless told otherwise. */
export function job<T extends MailJob['type']>(
  type: T,
  fields: Partial<MailJob> = {},
): Extract<MailJob, { type: T }> {
  const base = {
    id: randomUUID(),
    type,
    email: `user-${randomBytes(3).toString('hex')}@example.com`,
    locale: 'en',
    userId: randomUUID(),
    credentialVersion: 3,
    deleteAt: new Date(Date.now() + 3_600_000).toISOString(),
    linkPurpose: 'verify_email',
    changeId: randomUUID(),
    revertId: randomUUID(),
    newEmail: `new-${randomBytes(3).toString('hex')}@example.com`,
  }
  return { ...base, ...fields } as unknown as Extract<MailJob, { type: T }>
}

/** The first link to PUBLIC_BASE_URL in a text part, and its token. */
export function linkIn(text: string): { url: URL; token: string } {
  const match = text.match(/https?:\/\/\S+/)
  if (!match) throw new Error(`no link in:\n${text}`)
  const url = new URL(match[0])
  return { url, token: url.searchParams.get('token') ?? '' }
}
