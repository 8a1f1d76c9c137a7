import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { BrokerEnvSchema } from '@authmail/broker'
import { loadEnv, logLevel, seconds, secret, urlWith, workspaceRoot, z } from '@authmail/config'
import { LocaleSchema } from '@authmail/contracts'

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback)

/**
 * A file that must exist; a relative path starts at the workspace root (like the
 * api's DATA_DIR), so `pnpm worker` inside apps/worker reads what `pnpm start` wrote.
 */
const existingFile = (hint: string) =>
  z
    .string()
    .transform((path) => (isAbsolute(path) ? path : resolve(workspaceRoot(), path)))
    .refine(existsSync, hint)

/** What talking to RabbitMQ needs: the worker and the `dlq` command share it. */
const WorkerBrokerEnvSchema = BrokerEnvSchema.extend({ LOG_LEVEL: logLevel() })

const WorkerEnvSchema = WorkerBrokerEnvSchema.extend({
  SMTP_URL: z
    .string({ error: 'required: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465' })
    .pipe(
      urlWith(
        ['smtp:', 'smtps:'],
        'must be smtp:// (STARTTLS, required) or smtps:// (TLS); plain SMTP is refused',
      ),
    ),
  SMTP_CA_FILE: existingFile(
    'no such file (a PEM file of the CA that signed the SMTP server certificate)',
  ).optional(),
  SMTP_CONNECTION_TIMEOUT_MS: milliseconds(10_000),
  SMTP_GREETING_TIMEOUT_MS: milliseconds(10_000),
  SMTP_SOCKET_TIMEOUT_MS: milliseconds(30_000),
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  // A pooled connection is replaced after this many mails. Each replacement costs a TCP connect, the
  // server's greeting, STARTTLS and a TLS handshake, and the mails bound to the new connection wait for
  // them (100 ms and more on a server that pauses before its greeting). A server that wants fewer per
  // connection closes it, and the pool requeues the mail once (docs/operations.md).
  SMTP_MAX_MESSAGES_PER_CONNECTION: z.coerce.number().int().min(1).default(1000),
  MAIL_FROM: z.string().default('authmail <no-reply@localhost>'),
  DKIM_DOMAIN: z.string().optional(),
  DKIM_SELECTOR: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: existingFile('no such file').optional(),
  JWT_SECRET: secret(),
  PUBLIC_BASE_URL: urlWith(['http:', 'https:'], 'must be an http(s) URL')
    .default('http://localhost:5001')
    .transform((url) => url.replace(/\/+$/, '')),
  VERIFY_EMAIL_TTL: seconds(86_400),
  SET_PASSWORD_TTL: seconds(86_400),
  RESET_PASSWORD_TTL: seconds(3_600),
  CHANGE_EMAIL_TTL: seconds(86_400),
  REVERT_EMAIL_TTL: seconds(604_800),
  UNVERIFIED_ACCOUNT_TTL: seconds(172_800),
  /** Sign-in codes (and their links) last this long. */
  LOGIN_CODE_TTL: seconds(600),
  /** An admin's invitation: a set-password link that lasts longer than one from registration. */
  INVITE_TTL: seconds(604_800),
  /**
   * The product's sign-in page: when set, a sign-in mail also links to
   * `APP_LOGIN_URL?token=…`, and that page posts the token to `/login/email/{token}`.
   */
  APP_LOGIN_URL: urlWith(['http:', 'https:'], 'must be an http(s) URL').optional(),
  DEFAULT_LOCALE: LocaleSchema.default('en'),
  /** The product named in every mail's subject, body and footer. */
  APP_NAME: z.string().trim().min(1).max(60).default('authmail'),
  /** The product's own address: the farewell mail says where to sign up again; no link when unset. */
  APP_URL: z.url().optional(),
  /** An address people can write to, named in the mails' footer when set. */
  SUPPORT_EMAIL: z.email().optional(),
  /**
   * Templates that replace built-in ones, laid out the same way
   * (`<kind>/<locale>/{subject.txt,html.ejs,text.ejs}`); relative to the workspace root.
   */
  TEMPLATES_DIR: z
    .string()
    .transform((dir) => (isAbsolute(dir) ? dir : resolve(workspaceRoot(), dir)))
    .refine(existsSync, 'no such directory')
    .optional(),
  // Jobs in flight: each waits on SMTP and then on the broker's confirm of its receipt, so many
  // more than SMTP_POOL_SIZE keep the pool busy while receipts are confirmed (docs/performance.md).
  WORKER_PREFETCH: z.coerce.number().int().min(1).max(1000).default(64),
  WORKER_SHUTDOWN_TIMEOUT_MS: milliseconds(15_000),
  /** Health, readiness and metrics; 0 picks a free port (tests). */
  WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(5002),
  HOST: z.string().default('127.0.0.1'),
  /** Where every lifecycle event is POSTed, signed (docs/events.md); unset: no webhooks, no webhook queues. */
  WEBHOOK_URL: urlWith(['http:', 'https:'], 'must be an http(s) URL').optional(),
  /** A Standard Webhooks secret: `whsec_` and 24 to 64 random bytes in base64. */
  WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64 (a Standard Webhooks secret)')
    .refine((secret) => {
      const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length
      return bytes >= 24 && bytes <= 64
    }, 'must hold 24 to 64 bytes (openssl rand -base64 32)')
    .optional(),
  /** How long a receiver may take to answer before the POST counts as failed and is retried. */
  WEBHOOK_TIMEOUT_MS: milliseconds(10_000),
  /** Webhook POSTs in flight; on their own channel, so a slow receiver never holds up mail. */
  WEBHOOK_PREFETCH: z.coerce.number().int().min(1).max(1000).default(8),
}).superRefine((env, ctx) => {
  if (env.WEBHOOK_URL && !env.WEBHOOK_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['WEBHOOK_SECRET'],
      message: 'required with WEBHOOK_URL: receivers verify each POST with it (whsec_…)',
    })
  }
  const dkim = [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY_FILE]
  if (dkim.some(Boolean) && !dkim.every(Boolean)) {
    ctx.addIssue({
      code: 'custom',
      path: ['DKIM_DOMAIN'],
      message: 'DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE go together: set all three or none',
    })
  }
})

export type BrokerEnv = z.output<typeof WorkerBrokerEnvSchema>
export type WorkerEnv = z.output<typeof WorkerEnvSchema>

/** Throws a ConfigError naming every bad variable. Tests pass their own source. */
export const loadWorkerEnv = (source?: Record<string, string | undefined>): WorkerEnv =>
  loadEnv(WorkerEnvSchema, source)

export const loadBrokerEnv = (source?: Record<string, string | undefined>): BrokerEnv =>
  loadEnv(WorkerBrokerEnvSchema, source)
