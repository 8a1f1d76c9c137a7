import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from 'node:crypto'
import { readFileSync } from 'node:fs'

/**
 * The link tokens the worker mints, one derived key each. A new purpose is one
 * more entry here (and its lifetime in `tokensFromEnv`).
 */
export const LINK_TOKEN_PURPOSES = [
  'set_password',
  'verify_email',
  'reset_password',
  'change_email',
  'revert_email',
  'login_email',
] as const
export type LinkTokenPurpose = (typeof LINK_TOKEN_PURPOSES)[number]

/**
 * What a key derived from `JWT_SECRET` is for. Each gets its own key, so a
 * token or MAC made for one purpose can never pass as another, whatever
 * claims it carries. `address` keys the binding of a link to its address.
 */
export type KeyPurpose = LinkTokenPurpose | 'code' | 'receipt' | 'address'

/**
 * HKDF-SHA256 (RFC 5869) of the shared secret, empty salt, info
 * `authmail:<purpose>`, 32 bytes. Returned as a KeyObject: jsonwebtoken then
 * skips its per-call key parsing (~6 µs a call instead of ~340 µs with a string).
 */
export function deriveKey(secret: string, purpose: KeyPurpose): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, '', `authmail:${purpose}`, 32)))
}

/** jsonwebtoken 9 has no EdDSA; ES256 (ECDSA on P-256) is the asymmetric algorithm it supports everywhere. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256'

const GENERATE_HINT = 'generate one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256'

function checkCurve(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`not an EC P-256 key (ES256); ${GENERATE_HINT}`)
  }
  return key
}

function readPem(path: string, parse: (pem: Buffer) => KeyObject): KeyObject {
  let pem: Buffer
  try {
    pem = readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path} (${code})`)
  }
  let key: KeyObject
  try {
    key = parse(pem)
  } catch {
    throw new Error(`${path} holds no PEM key; ${GENERATE_HINT}`)
  }
  return checkCurve(key)
}

/** The api's access-token signing key: a PEM (PKCS#8 or SEC1) EC P-256 private key. */
export const readAccessKeyFile = (path: string): KeyObject => readPem(path, (pem) => createPrivateKey(pem))

/** A previous access-token key: its private or public PEM; only the public half is kept. */
export const readPreviousAccessKeyFile = (path: string): KeyObject =>
  readPem(path, (pem) => createPublicKey(pem))

/** A fresh access-token signing key. */
export const generateAccessKey = (): KeyObject =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey

/** PKCS#8 PEM, the form `ACCESS_TOKEN_KEY_FILE` holds. */
export const accessKeyPem = (key: KeyObject): string =>
  key.export({ type: 'pkcs8', format: 'pem' }).toString()

/** The public half of a private key; a public key as it is (createPublicKey refuses one on Node 20). */
export const publicOf = (key: KeyObject): KeyObject => (key.type === 'public' ? key : createPublicKey(key))

/** A public key as published in the JWKS. */
export interface PublicJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  kid: string
  alg: typeof ACCESS_TOKEN_ALGORITHM
  use: 'sig'
}

/** The public JWK of an access-token key; `kid` is its RFC 7638 thumbprint, stable across restarts. */
export function publicJwk(key: KeyObject): PublicJwk {
  const { crv, x, y } = publicOf(key).export({ format: 'jwk' })
  if (crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string')
    throw new Error('not an EC P-256 key')
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv, kty: 'EC', x, y }))
    .digest('base64url')
  return { kty: 'EC', crv, x, y, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' }
}
