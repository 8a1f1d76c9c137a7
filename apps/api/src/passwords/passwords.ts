import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { hash, verify } from '@node-rs/argon2'

/** OWASP's argon2id recommendation (DESIGN §7): 19 MiB, 2 passes, 1 lane. Algorithm 2 is Argon2id. */
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

const common = new Set(
  readFileSync(join(import.meta.dirname, 'common-passwords.txt'), 'utf8')
    .split('\n')
    .filter(Boolean),
)

/** Why a password is refused, in words for the user; null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`
  if (common.has(password) || common.has(password.toLowerCase())) {
    return 'This password is one of the most common ones; choose another'
  }
  return null
}

export const hashPassword = (password: string) => hash(password.normalize('NFC'), ARGON2)

export const verifyPassword = (passwordHash: string, password: string) =>
  verify(passwordHash, password.normalize('NFC')).catch(() => false)

/**
 * A hash to verify against when no account exists, so a login for an unknown
 * address takes as long as one with a wrong password.
 */
let dummy: Promise<string> | null = null
export const dummyHash = () => {
  dummy ??= hashPassword('not-a-real-password-just-equal-time')
  return dummy
}
