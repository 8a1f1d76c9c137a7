import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { hashPassword } from '../src/passwords/passwords.ts'
import type { TokenPair } from '../src/sessions/sessions.ts'
import type { User } from '../src/users/users-repository.ts'

/** Shared by the account tests: one argon2 hash per process keeps them fast. */
export const PASSWORD = 'tangerine-orbit-47-lantern'
let hash: Promise<string> | undefined
const passwordHash = () => {
  hash ??= hashPassword(PASSWORD)
  return hash
}

/** The Authorization header for an access token (from `login`). */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** The Authorization header of an access token minted for `user` directly, without signing in. */
export const bearerFor = (api: FastifyInstance, user: { id: string; credential_version: number }) =>
  bearer(api.tokens.sign('access', { sub: user.id, ver: user.credential_version }).token)

/**
 * An account created directly in the database (no mail), with PASSWORD as its
 * password; the test says whether it is confirmed.
 */
export async function createUser(
  api: FastifyInstance,
  email: string,
  options: { verified: boolean; role?: 'user' | 'admin' },
): Promise<User> {
  const user = await api.users.insert(api.db, {
    email,
    passwordHash: await passwordHash(),
    locale: 'en',
    role: options.role ?? 'user',
    verified: options.verified,
  })
  assert.ok(user, `could not create ${email}`)
  return user
}

export async function login(api: FastifyInstance, email: string, password = PASSWORD): Promise<TokenPair> {
  const res = await api.inject({ method: 'POST', url: '/login', payload: { email, password } })
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}

export function refresh(api: FastifyInstance, refreshToken: string) {
  return api.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: refreshToken } })
}

/** A clock a test can move forward, in seconds. */
export function movableClock() {
  let offset = 0
  return {
    now: () => Date.now() + offset,
    advance(seconds: number) {
      offset += seconds * 1000
    },
  }
}

export const errorCode = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code
