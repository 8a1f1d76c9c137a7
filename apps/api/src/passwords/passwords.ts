import { availableParallelism } from 'node:os'
import { hash, verify } from '@node-rs/argon2'
import { isCommonPassword } from './common-passwords.ts'

/** OWASP's argon2id recommendation (DESIGN §7): 19 MiB, 2 passes, 1 lane. Algorithm 2 is Argon2id. */
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

/** Why a password is refused, in words for the user; null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`
  if (isCommonPassword(password) || isCommonPassword(password.toLowerCase())) {
    return 'This password is one of the most common ones; choose another'
  }
  return null
}

/**
 * Runs at most `limit` tasks at once, the rest in arrival order. argon2 runs on
 * libuv's pool (4 threads): with more hashes in flight than cores, they take
 * the cores from the event loop, and every other request (even /healthz)
 * waits behind them. One per core keeps every core hashing while the event
 * loop competes with one thread per core instead of four, so short requests
 * still get their turn within a scheduler slice. The queue itself is bounded
 * by what reaches it: the per-IP limit and the per-address login throttle.
 */
function limiter(limit: number) {
  let active = 0
  const waiting: (() => void)[] = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    else active += 1
    try {
      return await task()
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = waiting.shift()
      if (next) next()
      else active -= 1
    }
  }
}

const hashing = limiter(availableParallelism())

export const hashPassword = (password: string) => hashing(() => hash(password.normalize('NFC'), ARGON2))

export const verifyPassword = (passwordHash: string, password: string) =>
  hashing(() => verify(passwordHash, password.normalize('NFC'))).catch(() => false)

/**
 * A hash to verify against when no account exists, so a login for an unknown
 * address takes as long as one with a wrong password.
 */
let dummy: Promise<string> | null = null
export const dummyHash = () => {
  dummy ??= hashPassword('not-a-real-password-just-equal-time')
  return dummy
}
