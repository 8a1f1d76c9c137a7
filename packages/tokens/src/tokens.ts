import { createHmac, type KeyObject, randomUUID, timingSafeEqual } from 'node:crypto'
import jwt from 'jsonwebtoken'
import { ACCESS_TOKEN_ALGORITHM, deriveKey, type PublicJwk, publicJwk, publicOf } from './keys.ts'

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
  /** Access tokens only: the session (refresh-token family) the token was issued for. */
  sid?: string
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
  /** Link tokens and codes use keys derived from it per purpose (HKDF). */
  secret: string
  /** Older secrets that still verify (key rotation); never used to sign. */
  previousSecrets?: string[]
  /**
   * The api's access-token private key (EC P-256). Without it this process can
   * neither sign nor verify access tokens: the worker's case.
   */
  accessKey?: KeyObject
  /** Older access-token keys (private or public) that still verify and stay published. */
  previousAccessKeys?: KeyObject[]
  /** `PUBLIC_BASE_URL`: the `iss` of every token. */
  issuer: string
  /** Lifetimes in seconds. */
  ttl: Record<TokenPurpose, number>
  /** Milliseconds since the epoch; tests move it to check expiry. */
  now?: () => number
}

interface Keyring {
  algorithm: 'HS256' | typeof ACCESS_TOKEN_ALGORITHM
  /** Null where this process may not sign: access tokens outside the api. */
  signing: { key: KeyObject; kid?: string } | null
  verifying: { key: KeyObject; kid?: string }[]
}

const typOf = (purpose: TokenPurpose) => `authmail-${purpose.replace('_', '-')}+jwt`
const audienceOf = (purpose: TokenPurpose) => `authmail:${purpose}`

function linkKeyring(purpose: Exclude<TokenPurpose, 'access'>, secrets: string[]): Keyring {
  const keys = secrets.map((secret) => ({ key: deriveKey(secret, purpose) }))
  return { algorithm: 'HS256', signing: keys[0] ?? null, verifying: keys }
}

function accessKeyring(current: KeyObject | undefined, previous: KeyObject[]): Keyring {
  // Only public keys verify: jsonwebtoken refuses a private key there, and it cannot leak through verify.
  const verifying = [...(current ? [current] : []), ...previous].map((key) => {
    const publicKey = publicOf(key)
    return { key: publicKey, kid: publicJwk(publicKey).kid }
  })
  const signing = current ? { key: current, kid: publicJwk(current).kid } : null
  return { algorithm: ACCESS_TOKEN_ALGORITHM, signing, verifying }
}

export function createTokens(options: TokensOptions) {
  const now = options.now ?? Date.now
  const secrets = [options.secret, ...(options.previousSecrets ?? [])]
  const previousAccessKeys = options.previousAccessKeys ?? []
  const keyrings: Record<TokenPurpose, Keyring> = {
    set_password: linkKeyring('set_password', secrets),
    verify_email: linkKeyring('verify_email', secrets),
    reset_password: linkKeyring('reset_password', secrets),
    access: accessKeyring(options.accessKey, previousAccessKeys),
  }
  const codeKeys = secrets.map((secret) => deriveKey(secret, 'code'))
  const jwks = {
    keys: [...(options.accessKey ? [options.accessKey] : []), ...previousAccessKeys].map(publicJwk),
  }

  function sign(
    purpose: TokenPurpose,
    claims: { sub: string; ver: number; email?: string; role?: string; scope?: string; sid?: string },
  ): SignedToken {
    const { algorithm, signing } = keyrings[purpose]
    if (!signing) throw new Error(`this process holds no key to sign ${purpose} tokens`)
    const jti = randomUUID()
    const iat = Math.floor(now() / 1000)
    const exp = iat + options.ttl[purpose]
    const token = jwt.sign({ ...claims, jti, purpose, iat, exp }, signing.key, {
      algorithm,
      issuer: options.issuer,
      audience: audienceOf(purpose),
      header: { alg: algorithm, typ: typOf(purpose), ...(signing.kid ? { kid: signing.kid } : {}) },
    })
    return { token, jti, expiresAt: new Date(exp * 1000) }
  }

  /** The keys worth trying: the one the `kid` names for access tokens, every secret's for link tokens. */
  function candidates(token: string, keyring: Keyring): KeyObject[] {
    if (keyring.algorithm === 'HS256') return keyring.verifying.map((k) => k.key)
    const kid = jwt.decode(token, { complete: true })?.header.kid
    return keyring.verifying.filter((k) => k.kid === kid).map((k) => k.key)
  }

  /** Verifies signature, issuer, audience, type and expiry; throws {@link TokenError}. */
  function verify(token: string, purpose: TokenPurpose): TokenClaims {
    const keyring = keyrings[purpose]
    let lastError: unknown
    for (const key of candidates(token, keyring)) {
      try {
        const { header, payload } = jwt.verify(token, key, {
          algorithms: [keyring.algorithm],
          issuer: options.issuer,
          audience: audienceOf(purpose),
          clockTimestamp: Math.floor(now() / 1000),
          complete: true,
        })
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

  const codeFor = (key: KeyObject, jti: string) => {
    const digest = createHmac('sha256', key).update(`code:${jti}`).digest()
    return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0')
  }

  /** The 6-digit code that goes with a verification token (HMAC of its jti under the `code` key). */
  function code(jti: string): string {
    return codeFor(codeKeys[0] as KeyObject, jti)
  }

  /** Compares in constant time, accepting codes made with a previous secret. */
  function checkCode(jti: string, candidate: string): boolean {
    const given = Buffer.from(candidate.padEnd(6).slice(0, 6))
    let ok = false
    for (const key of codeKeys) {
      ok = timingSafeEqual(Buffer.from(codeFor(key, jti)), given) || ok
    }
    return ok && /^\d{6}$/.test(candidate)
  }

  return {
    sign,
    verify,
    verifyAny,
    code,
    checkCode,
    /** The public access-token keys, current first, as served at `/.well-known/jwks.json`. */
    jwks: (): { keys: PublicJwk[] } => jwks,
  }
}

export type Tokens = ReturnType<typeof createTokens>
