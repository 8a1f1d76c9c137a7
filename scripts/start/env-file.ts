import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { accessKeyPem, generateAccessKey } from '@authmail/tokens'
import { parse } from 'dotenv'

export type Env = Record<string, string | undefined>

/**
 * On first run, copies `.env.example` to `.env` with a fresh JWT_SECRET, so a
 * new checkout starts without any manual step and without a shared default secret.
 */
export function ensureDotenv(root: string): boolean {
  const target = join(root, '.env')
  if (existsSync(target)) return false
  const example = readFileSync(join(root, '.env.example'), 'utf8')
  const secret = randomBytes(32).toString('hex')
  const text = example.replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${secret}`)
  // `wx` never overwrites a .env created meanwhile; 0600 because it holds a secret.
  writeFileSync(target, text, { flag: 'wx', mode: 0o600 })
  return true
}

/** Where `pnpm start` keeps the access-token key: next to `.env`, as `.env` names it. */
export const ACCESS_KEY_FILE = './access-token-key.pem'

/**
 * When ACCESS_TOKEN_KEY_FILE is unset, writes a fresh EC P-256 key next to
 * `.env` and names it there, so access tokens survive a restart. Returns what
 * it did, or null when a key was already configured.
 */
export function ensureAccessKey(root: string): string | null {
  if (effectiveEnv(root).ACCESS_TOKEN_KEY_FILE) return null
  const keyPath = join(root, ACCESS_KEY_FILE)
  const created = !existsSync(keyPath)
  if (created) {
    // 0600 and `wx` like .env: it is the key that signs every session.
    writeFileSync(keyPath, accessKeyPem(generateAccessKey()), { flag: 'wx', mode: 0o600 })
  }
  const envPath = join(root, '.env')
  const text = readFileSync(envPath, 'utf8')
  const line = `ACCESS_TOKEN_KEY_FILE=${ACCESS_KEY_FILE}`
  const updated = /^ACCESS_TOKEN_KEY_FILE=.*$/m.test(text)
    ? text.replace(/^ACCESS_TOKEN_KEY_FILE=.*$/m, line)
    : `${text.replace(/\n?$/, '\n')}${line}\n`
  writeFileSync(envPath, updated)
  return `${created ? 'created' : 'using'} ${ACCESS_KEY_FILE} (access-token signing key) and named it in .env`
}

/**
 * The environment the apps will see: `.env` under the real environment (dotenv
 * never overrides a set variable), with empty values treated as unset like
 * `@authmail/config` does.
 */
export function effectiveEnv(root: string): Env {
  const path = join(root, '.env')
  const file = existsSync(path) ? parse(readFileSync(path)) : {}
  const merged: Env = { ...file, ...process.env }
  for (const [key, value] of Object.entries(merged)) if (value === '') merged[key] = undefined
  return merged
}

/**
 * Records in `.env` where the local MailDev listens, so `pnpm worker` run alone
 * finds it. Only empty or missing variables are filled in: a value the user
 * wrote is never replaced. Paths are relative to the repository root, which is
 * where the apps resolve them from.
 */
export function rememberMaildev(root: string, values: { SMTP_URL: string; SMTP_CA_FILE: string }): string[] {
  const target = join(root, '.env')
  let text = readFileSync(target, 'utf8')
  const written: string[] = []
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^${name}=(.*)$`, 'm')
    const current = text.match(line)
    if (current?.[1]?.trim()) continue
    text = current
      ? text.replace(line, `${name}=${value}`)
      : `${text.replace(/\n?$/, '\n')}${name}=${value}\n`
    written.push(name)
  }
  if (written.length) writeFileSync(target, text)
  return written
}
