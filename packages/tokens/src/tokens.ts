import { createHmac, type KeyObject, randomUUID, timingSafeEqual } from 'node:crypto'
import jwt from 'jsonwebtoken'
import {
  ACCESS_TOKEN_ALGORITHM,
  deriveKey,
  LINK_TOKEN_PURPOSES,
  type LinkTokenPurpose,
  type PublicJwk,
  publicJwk,
  publicOf,
} from './keys.ts'
import { readLegacyLinkPayload } from './legacy-link-claims.ts'
import { addressBinding, newJti, packUuid, readLinkPayload, shortJti, unpackUuid } from './link-claims.ts'

/** Link purposes (minted by the worker) and the api's own access token. */
export type TokenPurpose = LinkTokenPurpose | 'access'

/** Lifetimes of purposes added later: callers that predate them need not name them. */
const DEFAULT_TTL = { change_email: 86_400, revert_email: 604_800, login_email: 600 }
type DefaultedPurpose = keyof typeof DEFAULT_TTL

export interface TokenClaims {
  sub: string
  /** A UUID for every token, whatever form the token itself carries. */
  jti: string
  /** The purpose whose key verified the token. */
  purpose: TokenPurpose
  /** The user's credential version when the token was minted. */
  ver: number
  /** Link tokens: the binding to the address the mail went to (see {@link Tokens.sentTo}). */
  eml?: string
  /** Link tokens of the long format only: the address itself. */
  email?: string
  role?: string
  /** Access tokens only: `email_verification` limits a session to confirming the address. */
  scope?: string
  /** Access tokens only: the session (refresh-token family) the token was issued for. */
  sid?: string
  /** Access tokens only: link tokens carry no issue time. */
  iat?: number
  exp: number
}

export interface SignedToken {
  token: string
  /** The token id as a UUID: what receipts, `used_tokens` and codes use. */
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
  /** `PUBLIC_BASE_URL`: the `iss` of access tokens (and of link tokens of the long format). */
  issuer: string
  /** Lifetimes in seconds. */
  ttl: Omit<Record<TokenPurpose, number>, DefaultedPurpose> & Partial<Record<DefaultedPurpose, number>>
  /** Milliseconds since the epoch; tests move it to check expiry. */
  now?: () => number
}

type Header = { typ?: unknown }
type Payload = Record<string, unknown>

interface Keyring {
  algorithm: 'HS256' | typeof ACCESS_TOKEN_ALGORITHM
  /** Null where this process may not sign: access tokens outside the api. */
  signing: { key: KeyObject; kid?: string } | null
  verifying: { key: KeyObject; kid?: string }[]
  /** The claims of a well-signed, unexpired token if its header and payload have this purpose's shape. */
  read: (header: Header, payload: Payload) => TokenClaims | null
}

const ACCESS_TYP = 'authmail-access+jwt'
const ACCESS_AUDIENCE = 'authmail:access'

function linkKeyring(purpose: LinkTokenPurpose, secrets: string[], issuer: string): Keyring {
  const keys = secrets.map((secret) => ({ key: deriveKey(secret, purpose) }))
  const read = (header: Header, payload: Payload): TokenClaims | null => {
    // The short format's header is `{"alg":"HS256"}` alone; a `typ` marks the long one.
    const claims =
      header.typ === undefined
        ? readLinkPayload(payload)
        : readLegacyLinkPayload(header, payload, purpose, issuer)
    return claims && { ...claims, purpose }
  }
  return { algorithm: 'HS256', signing: keys[0] ?? null, verifying: keys, read }
}

function accessKeyring(current: KeyObject | undefined, previous: KeyObject[], issuer: string): Keyring {
  // Only public keys verify: jsonwebtoken refuses a private key there, and it cannot leak through verify.
  const verifying = [...(current ? [current] : []), ...previous].map((key) => {
    const publicKey = publicOf(key)
    return { key: publicKey, kid: publicJwk(publicKey).kid }
  })
  const signing = current ? { key: current, kid: publicJwk(current).kid } : null
  const read = (header: Header, payload: Payload): TokenClaims | null =>
    header.typ === ACCESS_TYP &&
    payload.iss === issuer &&
    payload.aud === ACCESS_AUDIENCE &&
    payload.purpose === 'access' &&
    typeof payload.sub === 'string' &&
    typeof payload.jti === 'string' &&
    typeof payload.ver === 'number' &&
    typeof payload.exp === 'number'
      ? (payload as unknown as TokenClaims)
      : null
  return { algorithm: ACCESS_TOKEN_ALGORITHM, signing, verifying, read }
}

/**
 * A link token's user and address as written, checking nothing: only for a
 * page that explains why a link failed after its signature was found good.
 */
export function peekLinkToken(token: string): Pick<TokenClaims, 'sub' | 'eml' | 'email'> | null {
  const payload = jwt.decode(token)
  if (!payload || typeof payload !== 'object') return null
  const { sub, eml, email } = payload as Payload
  const user = unpackUuid(sub) ?? (typeof sub === 'string' ? sub : null)
  if (!user) return null
  return {
    sub: user,
    ...(typeof eml === 'string' ? { eml } : {}),
    ...(typeof email === 'string' ? { email } : {}),
  }
}

export function createTokens(options: TokensOptions) {
  const now = options.now ?? Date.now
  const ttl: Record<TokenPurpose, number> = {
    ...options.ttl,
    change_email: options.ttl.change_email ?? DEFAULT_TTL.change_email,
    revert_email: options.ttl.revert_email ?? DEFAULT_TTL.revert_email,
    login_email: options.ttl.login_email ?? DEFAULT_TTL.login_email,
  }
  const secrets = [options.secret, ...(options.previousSecrets ?? [])]
  const previousAccessKeys = options.previousAccessKeys ?? []
  const keyrings = {
    ...Object.fromEntries(LINK_TOKEN_PURPOSES.map((p) => [p, linkKeyring(p, secrets, options.issuer)])),
    access: accessKeyring(options.accessKey, previousAccessKeys, options.issuer),
  } as Record<TokenPurpose, Keyring>
  const codeKeys = secrets.map((secret) => deriveKey(secret, 'code'))
  const addressKeys = secrets.map((secret) => deriveKey(secret, 'address'))
  const jwks = {
    keys: [...(options.accessKey ? [options.accessKey] : []), ...previousAccessKeys].map(publicJwk),
  }

  function signingKey(purpose: TokenPurpose) {
    const { signing } = keyrings[purpose]
    if (!signing) throw new Error(`this process holds no key to sign ${purpose} tokens`)
    return signing
  }

  /**
   * A link token for the user `sub` (a UUID), mailed to `email`; `jti` (a UUID) when the link stands for a row.
   * `ttlSeconds` overrides the purpose's lifetime (an invitation is a set-password link that lasts longer).
   */
  function sign(
    purpose: LinkTokenPurpose,
    claims: { sub: string; ver: number; email: string; jti?: string },
    options?: { ttlSeconds?: number },
  ): SignedToken
  /** An access token: the api's own (ES256, with `kid`). */
  function sign(
    purpose: 'access',
    claims: { sub: string; ver: number; role?: string; scope?: string; sid?: string },
  ): SignedToken
  function sign(
    purpose: TokenPurpose,
    {
      jti,
      ...claims
    }: {
      sub: string
      ver: number
      email?: string
      role?: string
      scope?: string
      sid?: string
      jti?: string
    },
    { ttlSeconds = ttl[purpose] }: { ttlSeconds?: number } = {},
  ): SignedToken {
    const signing = signingKey(purpose)
    const iat = Math.floor(now() / 1000)
    const exp = iat + ttlSeconds
    const expiresAt = new Date(exp * 1000)
    if (purpose !== 'access') {
      if (!claims.email) throw new Error('a link token names the address it is mailed to')
      // A link that stands for a row of the api (a pending change of address) carries that row's id:
      // 16 characters when the row's id was made by newLinkId, 22 for any other UUID.
      const id = jti ? { short: shortJti(jti) ?? packUuid(jti), uuid: jti } : newJti()
      const payload = {
        sub: packUuid(claims.sub),
        jti: id.short,
        ver: claims.ver,
        exp,
        eml: addressBinding(addressKeys[0] as KeyObject, claims.email),
      }
      // `typ: undefined` keeps jsonwebtoken from adding `"typ":"JWT"`: the header is the algorithm alone.
      const token = jwt.sign(payload, signing.key, {
        algorithm: 'HS256',
        noTimestamp: true,
        header: { alg: 'HS256', typ: undefined },
      })
      return { token, jti: id.uuid, expiresAt }
    }
    const accessJti = randomUUID()
    const token = jwt.sign({ ...claims, jti: accessJti, purpose, iat, exp }, signing.key, {
      algorithm: ACCESS_TOKEN_ALGORITHM,
      issuer: options.issuer,
      audience: ACCESS_AUDIENCE,
      header: { alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TYP, kid: signing.kid },
    })
    return { token, jti: accessJti, expiresAt }
  }

  /** The keys worth trying: the one the `kid` names for access tokens, every secret's for link tokens. */
  function candidates(token: string, keyring: Keyring): KeyObject[] {
    if (keyring.algorithm === 'HS256') return keyring.verifying.map((k) => k.key)
    const kid = jwt.decode(token, { complete: true })?.header.kid
    return keyring.verifying.filter((k) => k.kid === kid).map((k) => k.key)
  }

  /** Verifies the signature (pinned algorithm), expiry and the purpose's claims; throws {@link TokenError}. */
  function verify(token: string, purpose: TokenPurpose): TokenClaims {
    const keyring = keyrings[purpose]
    let lastError: unknown
    for (const key of candidates(token, keyring)) {
      try {
        const { header, payload } = jwt.verify(token, key, {
          algorithms: [keyring.algorithm],
          clockTimestamp: Math.floor(now() / 1000),
          complete: true,
        })
        const claims = typeof payload === 'object' ? keyring.read(header, payload) : null
        if (!claims) break
        return claims
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

  /**
   * Whether a link token was mailed to `address`: its binding made with the
   * current or a previous secret, or (long format) the address itself, case
   * ignored.
   */
  function sentTo(claims: Pick<TokenClaims, 'eml' | 'email'>, address: string): boolean {
    if (claims.email !== undefined) return claims.email.toLowerCase() === address.toLowerCase()
    return addressKeys.some((key) => addressBinding(key, address) === claims.eml)
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
    sentTo,
    code,
    checkCode,
    /** The public access-token keys, current first, as served at `/.well-known/jwks.json`. */
    jwks: (): { keys: PublicJwk[] } => jwks,
  }
}

export type Tokens = ReturnType<typeof createTokens>
