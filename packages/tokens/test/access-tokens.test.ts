import assert from 'node:assert/strict'
import { createPublicKey, generateKeyPairSync, verify as verifySignature } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import jwt from 'jsonwebtoken'
import {
  accessKeyPem,
  createTokens,
  deriveKey,
  generateAccessKey,
  publicJwk,
  publicOf,
  readAccessKeyFile,
  readPreviousAccessKeyFile,
  TokenError,
} from '../src/index.ts'

const SECRET = 'a'.repeat(32)
const ttl = { set_password: 60, verify_email: 60, reset_password: 30, login_email: 600, access: 10 }
const issuer = 'https://auth.example.com'

const refused = (fn: () => unknown) =>
  assert.throws(fn, (e) => e instanceof TokenError && e.reason === 'invalid')

/** What a product's backend does with the JWKS and nothing but node:crypto. */
function verifyWithJwks(token: string, jwks: { keys: { kid: string }[] }): Record<string, unknown> {
  const [head, body, signature] = token.split('.') as [string, string, string]
  const header = JSON.parse(Buffer.from(head, 'base64url').toString())
  assert.equal(header.alg, 'ES256')
  const jwk = jwks.keys.find((k) => k.kid === header.kid)
  assert.ok(jwk, `kid ${header.kid} is published`)
  const key = createPublicKey({ key: jwk as never, format: 'jwk' })
  const ok = verifySignature(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  )
  assert.ok(ok, 'the signature verifies with the published key')
  return JSON.parse(Buffer.from(body, 'base64url').toString())
}

describe('access tokens', () => {
  test('are ES256 with the RFC 7638 thumbprint as kid, verifiable with the JWKS and node:crypto alone', () => {
    const accessKey = generateAccessKey()
    const tokens = createTokens({ secret: SECRET, accessKey, issuer, ttl })
    const { token } = tokens.sign('access', { sub: 'u1', ver: 2, role: 'admin' })
    const jwks = tokens.jwks()
    assert.equal(jwks.keys.length, 1)
    const [published] = jwks.keys
    assert.deepEqual(Object.keys(published ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
    assert.equal(published?.use, 'sig')
    assert.equal(published?.alg, 'ES256')
    // RFC 7638 §3.1 reduces to this for EC keys; the key id survives a restart.
    assert.equal(published?.kid, publicJwk(publicOf(accessKey)).kid)
    assert.match(published?.kid ?? '', /^[\w-]{43}$/)
    const claims = verifyWithJwks(token, jwks)
    assert.deepEqual(
      [claims.sub, claims.ver, claims.role, claims.aud, claims.iss],
      ['u1', 2, 'admin', 'authmail:access', issuer],
    )
    assert.equal(tokens.verify(token, 'access').sub, 'u1')
  })

  test('an HS256 token signed with JWT_SECRET (or any key derived from it) is refused as an access token', () => {
    const accessKey = generateAccessKey()
    const tokens = createTokens({ secret: SECRET, accessKey, issuer, ttl })
    const kid = tokens.jwks().keys[0]?.kid
    const payload = {
      sub: 'u1',
      ver: 0,
      jti: 'x',
      purpose: 'access',
      role: 'admin',
      exp: Math.floor(Date.now() / 1000) + 60,
    }
    const pem = createPublicKey(accessKey).export({ type: 'spki', format: 'pem' })
    for (const key of [SECRET, deriveKey(SECRET, 'verify_email'), pem]) {
      const forged = jwt.sign(payload, key, {
        algorithm: 'HS256',
        issuer,
        audience: 'authmail:access',
        header: { alg: 'HS256', typ: 'authmail-access+jwt', kid },
        allowInsecureKeySizes: true,
      })
      refused(() => tokens.verify(forged, 'access'))
    }
  })

  test('the worker (no access key) can neither sign nor verify an access token', () => {
    const api = createTokens({ secret: SECRET, accessKey: generateAccessKey(), issuer, ttl })
    const worker = createTokens({ secret: SECRET, issuer, ttl })
    assert.throws(() => worker.sign('access', { sub: 'u1', ver: 0 }), /no key to sign access tokens/)
    refused(() => worker.verify(api.sign('access', { sub: 'u1', ver: 0 }).token, 'access'))
    assert.deepEqual(worker.jwks(), { keys: [] })
    // Link tokens the worker mints still verify in the api: both derive the same keys.
    assert.equal(
      api.verify(worker.sign('verify_email', { sub: 'u1', ver: 0 }).token, 'verify_email').sub,
      'u1',
    )
  })

  test('rotation: the new key signs, the old key still verifies, both are published', () => {
    const oldKey = generateAccessKey()
    const newKey = generateAccessKey()
    const before = createTokens({ secret: SECRET, accessKey: oldKey, issuer, ttl })
    const oldToken = before.sign('access', { sub: 'u1', ver: 0 }).token
    // A previous key may be given by its public half only.
    const after = createTokens({
      secret: SECRET,
      accessKey: newKey,
      previousAccessKeys: [publicOf(oldKey)],
      issuer,
      ttl,
    })
    const newToken = after.sign('access', { sub: 'u2', ver: 0 }).token
    assert.equal(after.verify(oldToken, 'access').sub, 'u1')
    assert.equal(after.verify(newToken, 'access').sub, 'u2')
    const kids = after.jwks().keys.map((k) => k.kid)
    assert.deepEqual(kids, [publicJwk(newKey).kid, publicJwk(oldKey).kid])
    assert.equal(jwt.decode(newToken, { complete: true })?.header.kid, kids[0])
    verifyWithJwks(oldToken, after.jwks())
    verifyWithJwks(newToken, after.jwks())
    // Once the old key is dropped, its tokens stop verifying.
    const done = createTokens({ secret: SECRET, accessKey: newKey, issuer, ttl })
    refused(() => done.verify(oldToken, 'access'))
  })

  test('a token from an unknown key, or with its kid swapped for a known one, is refused', () => {
    const tokens = createTokens({ secret: SECRET, accessKey: generateAccessKey(), issuer, ttl })
    const stranger = createTokens({ secret: SECRET, accessKey: generateAccessKey(), issuer, ttl })
    const foreign = stranger.sign('access', { sub: 'u1', ver: 0 }).token
    refused(() => tokens.verify(foreign, 'access'))
    const [, body, signature] = foreign.split('.')
    const header = Buffer.from(
      JSON.stringify({ alg: 'ES256', typ: 'authmail-access+jwt', kid: tokens.jwks().keys[0]?.kid }),
    ).toString('base64url')
    refused(() => tokens.verify(`${header}.${body}.${signature}`, 'access'))
  })
})

describe('access key files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authmail-keys-'))
  const file = (name: string, text: string) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }

  test('a PEM EC P-256 private key is read; its public half serves as a previous key', () => {
    const key = generateAccessKey()
    const path = file('key.pem', accessKeyPem(key))
    assert.equal(publicJwk(readAccessKeyFile(path)).kid, publicJwk(key).kid)
    const spki = file('pub.pem', createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString())
    assert.equal(publicJwk(readPreviousAccessKeyFile(spki)).kid, publicJwk(key).kid)
    assert.equal(publicJwk(readPreviousAccessKeyFile(path)).kid, publicJwk(key).kid)
  })

  test('a missing file, a file without a key, and keys of other types are refused with a clear reason', () => {
    assert.throws(() => readAccessKeyFile(join(dir, 'absent.pem')), /no such file: .*absent\.pem/)
    assert.throws(
      () => readAccessKeyFile(file('junk.pem', 'not a key')),
      /holds no PEM key; generate one with: openssl/,
    )
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey
    assert.throws(() => readAccessKeyFile(file('p384.pem', accessKeyPem(p384))), /not an EC P-256 key/)
    const ed = generateKeyPairSync('ed25519').privateKey
    assert.throws(() => readAccessKeyFile(file('ed.pem', accessKeyPem(ed))), /not an EC P-256 key/)
    // A public key cannot sign.
    const pub = createPublicKey(generateAccessKey()).export({ type: 'spki', format: 'pem' }).toString()
    assert.throws(() => readAccessKeyFile(file('only-public.pem', pub)), /holds no PEM key/)
  })
})
