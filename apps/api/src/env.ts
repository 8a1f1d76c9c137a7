import { isAbsolute, resolve } from 'node:path'
import { BrokerEnvSchema } from '@authmail/broker'
import { list, loadEnv, logLevel, seconds, secret, workspaceRoot, z } from '@authmail/config'
import { LocaleSchema } from '@authmail/contracts'
import { readAccessKeyFile, readPreviousAccessKeyFile } from '@authmail/tokens'
import { passwordProblem } from './passwords/passwords.ts'

/** Relative paths start at the workspace root, like DATA_DIR, so `pnpm start` and `pnpm api` agree. */
const fromRoot = (path: string) => (isAbsolute(path) ? path : resolve(workspaceRoot(), path))

/** A PEM key file, read and checked at start: a bad one stops the start with the variable named. */
const keyFile = (read: typeof readAccessKeyFile) =>
  z.string().transform((path, ctx) => {
    try {
      return { path: fromRoot(path), key: read(fromRoot(path)) }
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
      return z.NEVER
    }
  })

/** Everything the api reads from the environment (DESIGN §8); nothing else reads process.env. */
export const EnvSchema = BrokerEnvSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(5001),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_BASE_URL: z
    .url()
    .default('http://localhost:5001')
    .transform((url) => url.replace(/\/+$/, '')),
  DATABASE_URL: z.string().optional(),
  /** Relative paths start at the workspace root, so `pnpm start` and `pnpm api` share one database. */
  DATA_DIR: z
    .string()
    .default('./data')
    .transform((dir) => (dir.startsWith('memory://') ? dir : fromRoot(dir))),
  JWT_SECRET: secret(),
  JWT_PREVIOUS_SECRETS: list().pipe(z.array(secret())),
  /** EC P-256 private key signing access tokens; unset: a key made at start (see plugins/tokens.ts). */
  ACCESS_TOKEN_KEY_FILE: keyFile(readAccessKeyFile).optional(),
  /** Keys of a rotation that still verify and stay published in the JWKS (private or public PEM). */
  ACCESS_TOKEN_PREVIOUS_KEY_FILES: list().pipe(z.array(keyFile(readPreviousAccessKeyFile))),
  VERIFY_EMAIL_TTL: seconds(86_400),
  SET_PASSWORD_TTL: seconds(86_400),
  RESET_PASSWORD_TTL: seconds(3_600),
  /** How long the link and code confirming a new address work. */
  CHANGE_EMAIL_TTL: seconds(86_400),
  /** How long the old address can undo a change of address. */
  REVERT_EMAIL_TTL: seconds(604_800),
  ACCESS_TOKEN_TTL: seconds(900),
  REFRESH_TOKEN_TTL: seconds(604_800),
  RESEND_COOLDOWN_SECONDS: z.coerce.number().int().nonnegative().default(300),
  UNVERIFIED_ACCOUNT_TTL: seconds(172_800),
  /** How long an admin's invitation lasts; the unconfirmed account is kept at least that long. */
  INVITE_TTL: seconds(604_800),
  /** Seconds a published outbox row (and a receipt that names no account) is kept before the retention job deletes it. */
  OUTBOX_RETENTION: seconds(604_800),
  ADMIN_EMAIL: z.email().optional(),
  // The bootstrap admin follows the same password rules as everyone else.
  ADMIN_PASSWORD: z
    .string()
    .superRefine((password, ctx) => {
      const problem = passwordProblem(password)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })
    .optional(),
  DEFAULT_LOCALE: LocaleSchema.default('en'),
  /** The product these accounts belong to: named on pages and in mails. */
  APP_NAME: z.string().trim().min(1).max(60).default('authmail'),
  /** Where "Continue to APP_NAME" leads at the end of a flow; no link when unset. */
  APP_URL: z.url().optional(),
  /** An address people can write to, named in mails when set. */
  SUPPORT_EMAIL: z.email().optional(),
  /** The worker's TEMPLATES_DIR, so the admin mail preview shows the mails as they are sent. */
  TEMPLATES_DIR: z
    .string()
    .transform((dir) => (isAbsolute(dir) ? dir : resolve(workspaceRoot(), dir)))
    .optional(),
  /** Requests per minute per client IP on the routes that send mail or check passwords. */
  IP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Which proxies may set X-Forwarded-For (Fastify's `trustProxy`); unset trusts none. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const trust = parseTrustProxy(value)
      if (trust === null) ctx.addIssue({ code: 'custom', message: TRUST_PROXY_HELP })
      return trust ?? false
    }),
  /** Per-IP limits shared by every api instance; memory (per instance) when unset. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Mails queued per minute in all, and per recipient domain; past them the mail is dropped, the answer unchanged. */
  MAIL_BUDGET_PER_MINUTE: z.coerce.number().int().positive().default(1000),
  MAIL_BUDGET_PER_DOMAIN_PER_MINUTE: z.coerce.number().int().positive().default(300),
  /** Bearer secret of POST /webhooks/bounces (at least 32 bytes); unset: the route answers 404. */
  BOUNCE_WEBHOOK_SECRET: secret().optional(),
  /** Absolute lifetime of a session (a login), however often it is refreshed. */
  SESSION_MAX_AGE: seconds(2_592_000),
  /** Largest accepted request body, in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(16_384),
  LOG_LEVEL: logLevel(),
})

const TRUST_PROXY_HELP =
  'Use true, a number of proxy hops, or comma-separated proxy addresses or CIDR ranges (e.g. 10.0.0.0/8,127.0.0.1)'

/**
 * Fastify's `trustProxy` values: `true` (trust every hop: only behind a proxy
 * that overwrites X-Forwarded-For), a hop count, or the proxies' addresses and
 * CIDR ranges. Null means the value is none of these.
 */
export function parseTrustProxy(value: string | undefined): boolean | number | string[] | null {
  const text = value?.trim() ?? ''
  if (text === '' || text === 'false') return false
  if (text === 'true') return true
  if (/^\d+$/.test(text)) return Number(text)
  const entries = text.split(',').map((entry) => entry.trim())
  const address = /^(?:[0-9.]+|[0-9a-fA-F:.]+)(?:\/\d{1,3})?$/
  return entries.every((entry) => address.test(entry) && /[.:]/.test(entry)) ? entries : null
}

export type Env = z.output<typeof EnvSchema>

export function readEnv(source?: Record<string, string | undefined>): Env {
  return loadEnv(EnvSchema, source)
}
