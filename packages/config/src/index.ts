import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { config as loadDotenv } from 'dotenv'
import { z } from 'zod'

export { z }

/** Raised when the environment does not fit an app's schema; the message lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * The `.env` nearest to `from`, looking up to the workspace root, so `pnpm api`
 * (which runs inside apps/api) reads the same file as `pnpm start`.
 */
export function findDotenv(from = process.cwd()): string | undefined {
  let dir = from
  for (;;) {
    const candidate = join(dir, '.env')
    if (existsSync(candidate)) return candidate
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return undefined
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The folder of `pnpm-workspace.yaml` above `from`, or `from` itself outside a workspace. */
export function workspaceRoot(from = process.cwd()): string {
  let dir = from
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return from
    dir = parent
  }
}

/**
 * Loads `.env` (without overriding variables already set) and parses the
 * environment with `schema`. Every problem is collected into one error.
 */
export function loadEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.output<S> {
  if (source === process.env) {
    const path = findDotenv()
    if (path) loadDotenv({ path, quiet: true })
  }
  // An empty variable (`FOO=` in .env) means "not set", so defaults apply.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = schema.safeParse(cleaned)
  if (result.success) return result.data
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`))
}

/** Seconds given as a whole number in the environment. */
export const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback)

/** A comma-separated list in the environment. */
export const list = () =>
  z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )

/** HS256 secret: at least 32 bytes, as DESIGN §5 requires. */
export const secret = () =>
  z
    .string({ error: 'required, at least 32 bytes (try: openssl rand -hex 32)' })
    .refine((s) => Buffer.byteLength(s) >= 32, 'must be at least 32 bytes (try: openssl rand -hex 32)')

export const logLevel = () =>
  z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')

/** Prints a config error as one readable block and exits; used by both apps' entry points. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`)
    process.exit(78) // EX_CONFIG
  }
  throw error
}

/** A string that parses as a URL with one of `protocols` (e.g. `['amqp:', 'amqps:']`). */
export const urlWith = (protocols: string[], hint: string) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol)
    } catch {
      return false
    }
  }, hint)
