import type { KeyObject } from 'node:crypto'
import { createTokens, type Tokens } from './tokens.ts'

export * from './keys.ts'
export { newLinkId } from './link-claims.ts'
export * from './receipt-seal.ts'
export * from './sample-token.ts'
export * from './tokens.ts'

/** The variables token setup reads; the worker, which never mints access tokens, has no ACCESS_TOKEN_TTL. */
export interface TokensEnv {
  JWT_SECRET: string
  JWT_PREVIOUS_SECRETS?: string[]
  PUBLIC_BASE_URL: string
  SET_PASSWORD_TTL: number
  VERIFY_EMAIL_TTL: number
  RESET_PASSWORD_TTL: number
  CHANGE_EMAIL_TTL?: number
  REVERT_EMAIL_TTL?: number
  /** The worker's sign-in codes; the api only verifies them, so it may leave this out. */
  LOGIN_CODE_TTL?: number
  ACCESS_TOKEN_TTL?: number
}

/** The api's access-token keys; the worker passes none, so it can neither sign nor verify access tokens. */
export interface AccessKeys {
  current: KeyObject
  previous: KeyObject[]
}

/** Tokens as every process builds them from its environment, so api and worker agree on issuer and lifetimes. */
export function tokensFromEnv(env: TokensEnv, now?: () => number, accessKeys?: AccessKeys): Tokens {
  return createTokens({
    secret: env.JWT_SECRET,
    previousSecrets: env.JWT_PREVIOUS_SECRETS,
    accessKey: accessKeys?.current,
    previousAccessKeys: accessKeys?.previous,
    issuer: env.PUBLIC_BASE_URL,
    ttl: {
      set_password: env.SET_PASSWORD_TTL,
      verify_email: env.VERIFY_EMAIL_TTL,
      reset_password: env.RESET_PASSWORD_TTL,
      change_email: env.CHANGE_EMAIL_TTL,
      revert_email: env.REVERT_EMAIL_TTL,
      login_email: env.LOGIN_CODE_TTL ?? 600,
      access: env.ACCESS_TOKEN_TTL ?? 0,
    },
    now,
  })
}
