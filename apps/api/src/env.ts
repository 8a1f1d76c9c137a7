import { isAbsolute, resolve } from 'node:path'
import { BrokerEnvSchema } from '@authmail/broker'
import { list, loadEnv, logLevel, seconds, secret, workspaceRoot, z } from '@authmail/config'
import { LocaleSchema } from '@authmail/contracts'
import { passwordProblem } from './passwords/passwords.ts'

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
    .transform((dir) =>
      dir.startsWith('memory://') || isAbsolute(dir) ? dir : resolve(workspaceRoot(), dir),
    ),
  JWT_SECRET: secret(),
  JWT_PREVIOUS_SECRETS: list().pipe(z.array(secret())),
  VERIFY_EMAIL_TTL: seconds(86_400),
  SET_PASSWORD_TTL: seconds(86_400),
  RESET_PASSWORD_TTL: seconds(3_600),
  ACCESS_TOKEN_TTL: seconds(900),
  REFRESH_TOKEN_TTL: seconds(604_800),
  RESEND_COOLDOWN_SECONDS: z.coerce.number().int().nonnegative().default(300),
  UNVERIFIED_ACCOUNT_TTL: seconds(172_800),
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
  /** Largest accepted request body, in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(16_384),
  LOG_LEVEL: logLevel(),
})

export type Env = z.output<typeof EnvSchema>

export function readEnv(source?: Record<string, string | undefined>): Env {
  return loadEnv(EnvSchema, source)
}
