import { createHmac, createSecretKey, type KeyObject, randomUUID, timingSafeEqual } from 'node:crypto'
import jwt from 'jsonwebtoken'

/** Link purposes (minted by the worker) and the api's own access token. */
export type TokenPurpose = 'set_password' | 'verify_email' | 'reset_password' | 'access'

export interface TokenClaims {
  sub: string
  jti: string
  purpose: TokenPurpose
  /** The user's credential version when the token was minted. */
  ver: number
  email?: string
  role?: string
  /** Access tokens only: `email_verification` limits a session to confirming the address. */
  scope?: string
  iat: number
  exp: number
}

export interface SignedToken {
  token: string
  jti: string
  expiresAt: Date
}

/** Why a token was refused: `expired` only for a well-signed token past its `exp`. */
export class TokenError extends Error {
  constructor(
    readonly reason: 'invalid' | 'expired',
    message: string,
  ) {
    super(message)
    this.name = 'TokenError'
  }
}

export interface TokensOptions {
  secret: string
  /** Older secrets that still verify (key rotation); never used to sign. */
  previousSecrets?: string[]
  /** `PUBLIC_BASE_URL`: the `iss` of every token. */
  issuer: string
  /** Lifetimes in seconds. */
  ttl: Record<TokenPurpose, number>
  /** Milliseconds since the epoch; tests move it to check expiry. */
  now?: () => number
}

const ALGORITHM = 'HS256'
const typOf = (purpose: TokenPurpose) => `authmail-${purpose.replace('_', '-')}+jwt`
const audienceOf = (purpose: TokenPurpose) => `authmail:${purpose}`

export function createTokens(options: TokensOptions) {
  const now = options.now ?? Date.now
  // A KeyObject skips jsonwebtoken's per-call key parsing: ~6 µs instead of ~340 µs a call.
  const signingKey = createSecretKey(Buffer.from(options.secret))
  const verifyingKeys: KeyObject[] = [
    signingKey,
    ...(options.previousSecrets ?? []).map((s) => createSecretKey(Buffer.from(s))),
  ]
  const codeSecrets = [options.secret, ...(options.previousSecrets ?? [])]

  function sign(
    purpose: TokenPurpose,
    claims: { sub: string; ver: number; email?: string; role?: string; scope?: string },
  ): SignedToken {
    const jti = randomUUID()
    const iat = Math.floor(now() / 1000)
    const exp = iat + options.ttl[purpose]
    const token = jwt.sign({ ...claims, jti, purpose, iat, exp }, signingKey, {
      algorithm: ALGORITHM,
      issuer: options.issuer,
      audience: audienceOf(purpose),
      header: { alg: ALGORITHM, typ: typOf(purpose) },
    })
    return { token, jti, expiresAt: new Date(exp * 1000) }
  }

  function verifyWith(key: KeyObject, token: string, purpose: TokenPurpose) {
    return jwt.verify(token, key, {
      algorithms: [ALGORITHM],
      issuer: options.issuer,
      audience: audienceOf(purpose),
      clockTimestamp: Math.floor(now() / 1000),
      complete: true,
    })
  }

  /** Verifies signature, issuer, audience, type and expiry; throws {@link TokenError}. */
  function verify(token: string, purpose: TokenPurpose): TokenClaims {
    let lastError: unknown
    for (const key of verifyingKeys) {
      try {
        const { header, payload } = verifyWith(key, token, purpose)
        if (header.typ !== typOf(purpose) || typeof payload !== 'object') break
        const claims = payload as Partial<TokenClaims>
        if (
          claims.purpose !== purpose ||
          typeof claims.sub !== 'string' ||
          typeof claims.jti !== 'string' ||
          typeof claims.ver !== 'number' ||
          typeof claims.exp !== 'number'
        ) {
          break
        }
        return claims as TokenClaims
      } catch (error) {
        if (error instanceof jwt.TokenExpiredError) throw new TokenError('expired', 'The token has expired')
        lastError = error
        // Only a bad signature is worth trying with the next key.
        if (!(error instanceof jwt.JsonWebTokenError) || error.message !== 'invalid signature') break
      }
    }
    throw new TokenError('invalid', lastError instanceof Error ? lastError.message : 'The token is not valid')
  }

  /**
   * Verifies a token that may be of any of `purposes` (a set-password page takes
   * set and reset links). Expired wins over invalid: it is a link we issued.
   */
  function verifyAny(token: string, purposes: readonly TokenPurpose[]): TokenClaims {
    let error: TokenError = new TokenError('invalid', 'The token is not valid')
    for (const purpose of purposes) {
      try {
        return verify(token, purpose)
      } catch (e) {
        if (!(e instanceof TokenError)) throw e
        if (e.reason === 'expired') throw e
        error = e
      }
    }
    throw error
  }

  const codeFor = (secret: string, jti: string) => {
    const digest = createHmac('sha256', secret).update(`code:${jti}`).digest()
    return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0')
  }

  /** The 6-digit code that goes with a verification token (HMAC of its jti). */
  function code(jti: string): string {
    return codeFor(options.secret, jti)
  }

  /** Compares in constant time, accepting codes made with a previous secret. */
  function checkCode(jti: string, candidate: string): boolean {
    const given = Buffer.from(candidate.padEnd(6).slice(0, 6))
    let ok = false
    for (const secret of codeSecrets) {
      ok = timingSafeEqual(Buffer.from(codeFor(secret, jti)), given) || ok
    }
    return ok && /^\d{6}$/.test(candidate)
  }

  return { sign, verify, verifyAny, code, checkCode }
}

export type Tokens = ReturnType<typeof createTokens>

/** The variables token setup reads; the worker, which never mints access tokens, has no ACCESS_TOKEN_TTL. */
export interface TokensEnv {
  JWT_SECRET: string
  JWT_PREVIOUS_SECRETS?: string[]
  PUBLIC_BASE_URL: string
  SET_PASSWORD_TTL: number
  VERIFY_EMAIL_TTL: number
  RESET_PASSWORD_TTL: number
  ACCESS_TOKEN_TTL?: number
}

/** Tokens as every process builds them from its environment, so api and worker agree on issuer and lifetimes. */
export function tokensFromEnv(env: TokensEnv, now?: () => number): Tokens {
  return createTokens({
    secret: env.JWT_SECRET,
    previousSecrets: env.JWT_PREVIOUS_SECRETS,
    issuer: env.PUBLIC_BASE_URL,
    ttl: {
      set_password: env.SET_PASSWORD_TTL,
      verify_email: env.VERIFY_EMAIL_TTL,
      reset_password: env.RESET_PASSWORD_TTL,
      access: env.ACCESS_TOKEN_TTL ?? 0,
    },
    now,
  })
}
