import assert from 'node:assert/strict'
import {
  createHmac,
  createPublicKey,
  type KeyObject,
  randomUUID,
  verify as verifySignature,
} from 'node:crypto'
import { describe, test } from 'node:test'
import { createBroker } from '@authmail/broker'
import { createReceiptSeal, createTokens, deriveKey, readAccessKeyFile } from '@authmail/tokens'
import type { FastifyInstance } from 'fastify'
import { receiptsDropped } from '../src/metrics.ts'
import { bearer, createUser, errorCode, login } from './account-fixtures.ts'
import { AMQP_URL, build, closeBeforeApi, TEST_SECRET, testEnv, writeAccessKeyFile } from './helper.ts'
import { receiptSender, waitUntil } from './verification-helper.ts'

interface Jwks {
  keys: { kty: string; crv: string; x: string; y: string; kid: string; alg: string; use: string }[]
}

/** What a product's backend does: the JWKS and node:crypto, no secret and no JOSE library. */
function verifyWithJwks(token: string, jwks: Jwks): Record<string, unknown> {
  const [head, body, signature] = token.split('.') as [string, string, string]
  const header = JSON.parse(Buffer.from(head, 'base64url').toString())
  assert.equal(header.alg, 'ES256')
  const jwk = jwks.keys.find((k) => k.kid === header.kid)
  assert.ok(jwk, 'the token names a published key')
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' })
  const data = Buffer.from(`${head}.${body}`)
  const ok = verifySignature(
    'sha256',
    data,
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  )
  assert.ok(ok, 'the signature verifies with the published key')
  return JSON.parse(Buffer.from(body, 'base64url').toString())
}

const jwksOf = async (api: FastifyInstance) => {
  const res = await api.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'public, max-age=300')
  return res.json() as Jwks
}

const part = (json: object) => Buffer.from(JSON.stringify(json)).toString('base64url')
const decode = (token: string, index: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString())

/** An HS256 JWT under `key`, as someone holding only the shared secret could make one. */
function hs256(key: string | KeyObject, header: object, payload: object) {
  const signingInput = `${part({ alg: 'HS256', ...header })}.${part(payload)}`
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`
}

/** The claims and header of a well-formed token of `purpose`; only the key is wrong. */
function hs256For(key: string | KeyObject, api: FastifyInstance, purpose: string, claims: object) {
  const iat = Math.floor(Date.now() / 1000)
  return hs256(
    key,
    { typ: `authmail-${purpose.replace('_', '-')}+jwt` },
    {
      ...claims,
      jti: randomUUID(),
      purpose,
      iat,
      exp: iat + 60,
      iss: api.env.PUBLIC_BASE_URL,
      aud: `authmail:${purpose}`,
    },
  )
}

describe('keys', () => {
  test('GET /.well-known/jwks.json publishes the access-token key; a login token verifies with it and node:crypto alone', async (t) => {
    const api = await build(t)
    await createUser(api, 'jwks@example.com', { verified: true })
    const { access_token } = await login(api, 'jwks@example.com')
    const jwks = await jwksOf(api)
    assert.equal(jwks.keys.length, 1)
    const [key] = jwks.keys
    assert.deepEqual([key?.kty, key?.crv, key?.alg, key?.use], ['EC', 'P-256', 'ES256', 'sig'])
    assert.ok(!('d' in (key ?? {})), 'no private part is published')
    const claims = verifyWithJwks(access_token, jwks)
    assert.equal(claims.aud, 'authmail:access')
    assert.equal(claims.iss, api.env.PUBLIC_BASE_URL)
    assert.equal(
      (await api.inject({ method: 'GET', url: '/me', headers: bearer(access_token) })).statusCode,
      200,
    )
  })

  test('rotation: the new key signs, tokens of the previous key still work, both are published', async (t) => {
    const oldFile = writeAccessKeyFile('old.pem')
    const newFile = writeAccessKeyFile('new.pem')
    const api = await build(t, {
      env: { ACCESS_TOKEN_KEY_FILE: newFile, ACCESS_TOKEN_PREVIOUS_KEY_FILES: oldFile },
    })
    const user = await createUser(api, 'rotate@example.com', { verified: true })
    // A token the api signed before the rotation, with the old key.
    const before = createTokens({
      secret: TEST_SECRET,
      accessKey: readAccessKeyFile(oldFile),
      issuer: api.env.PUBLIC_BASE_URL,
      ttl: { set_password: 1, verify_email: 1, reset_password: 1, login_email: 600, access: 60 },
    }).sign('access', { sub: user.id, ver: user.credential_version }).token
    const { access_token: after } = await login(api, 'rotate@example.com')

    const jwks = await jwksOf(api)
    const [newKid, oldKid] = jwks.keys.map((k) => k.kid)
    assert.equal(jwks.keys.length, 2)
    assert.equal(decode(after, 0).kid, newKid, 'the new key signs')
    assert.equal(decode(before, 0).kid, oldKid)
    for (const token of [before, after]) {
      verifyWithJwks(token, jwks)
      const me = await api.inject({ method: 'GET', url: '/me', headers: bearer(token) })
      assert.equal(me.statusCode, 200)
    }
  })

  test('an access token signed HS256 with JWT_SECRET (all the worker holds) is 401, even with admin claims', async (t) => {
    const api = await build(t)
    const admin = await createUser(api, 'boss@example.com', { verified: true, role: 'admin' })
    const claims = { sub: admin.id, ver: admin.credential_version, role: 'admin' }
    const kid = (await jwksOf(api)).keys[0]?.kid
    const real = api.tokens.sign('access', claims).token
    assert.equal((await api.inject({ method: 'GET', url: '/users', headers: bearer(real) })).statusCode, 200)

    const forgeries = [
      hs256For(TEST_SECRET, api, 'access', claims),
      // The real token's claims and key id, re-signed with the secret.
      hs256(TEST_SECRET, { typ: 'authmail-access+jwt', kid }, decode(real, 1)),
      // The worker can mint link tokens; one is no bearer token.
      api.tokens.sign('verify_email', { sub: admin.id, ver: admin.credential_version, email: admin.email })
        .token,
    ]
    for (const token of forgeries) {
      const res = await api.inject({ method: 'GET', url: '/users', headers: bearer(token) })
      assert.equal(res.statusCode, 401)
      assert.equal(errorCode(res), 'AUTH_INVALID_TOKEN')
    }
  })

  test('a link token keyed for one purpose is refused as another, whatever its claims say', async (t) => {
    const api = await build(t)
    const user = await createUser(api, 'cross@example.com', { verified: false })
    const claims = { sub: user.id, ver: user.credential_version, email: user.email }
    // Every claim and header of the long format says set_password; only the key is verify_email's.
    const disguised = hs256For(deriveKey(TEST_SECRET, 'verify_email'), api, 'set_password', claims)
    const raw = hs256For(TEST_SECRET, api, 'set_password', claims)
    // The short format names no purpose at all: the claims of a real set_password link, re-keyed.
    const short = decode(api.tokens.sign('set_password', claims).token, 1)
    // The same claims under set_password's own key pass (checked with the page, which consumes nothing).
    for (const genuine of [
      hs256For(deriveKey(TEST_SECRET, 'set_password'), api, 'set_password', claims),
      hs256(deriveKey(TEST_SECRET, 'set_password'), {}, short),
    ]) {
      const page = await api.inject({ method: 'GET', url: `/set-password?token=${genuine}` })
      assert.equal(page.statusCode, 200, page.body)
    }
    for (const token of [
      disguised,
      raw,
      hs256(deriveKey(TEST_SECRET, 'verify_email'), {}, short),
      hs256(deriveKey(TEST_SECRET, 'code'), {}, short),
      hs256(TEST_SECRET, {}, short),
    ]) {
      const res = await api.inject({
        method: 'POST',
        url: '/set-password',
        payload: { token, password: 'a long and unusual passphrase' },
      })
      assert.equal(errorCode(res), 'AUTH_INVALID_TOKEN')
    }
    const setPassword = api.tokens.sign('set_password', claims).token
    const verify = await api.inject({ method: 'POST', url: `/verify-email/${setPassword}` })
    assert.equal(errorCode(verify), 'AUTH_INVALID_TOKEN')
    const after = await api.users.findById(api.db, user.id)
    assert.equal(after?.password_hash, user.password_hash)
    assert.equal(after?.email_verified_at, null)
  })

  test('after JWT_SECRET rotates, codes and links made with the previous secret are still accepted', async (t) => {
    const api = await build(t, {
      env: { JWT_SECRET: 'the-new-secret-also-at-least-32-bytes', JWT_PREVIOUS_SECRETS: TEST_SECRET },
    })
    const deliver = await receiptSender(t, api)
    const user = await createUser(api, 'coded@example.com', { verified: false })
    const { jti } = await deliver({ userId: user.id, email: user.email, credentialVersion: 0 })
    const old = createTokens({
      secret: TEST_SECRET,
      issuer: api.env.PUBLIC_BASE_URL,
      ttl: { set_password: 60, verify_email: 60, reset_password: 60, login_email: 600, access: 60 },
    })
    assert.notEqual(old.code(jti), api.tokens.code(jti), 'the two secrets make different codes')
    const session = api.tokens.sign('access', { sub: user.id, ver: 0, scope: 'email_verification' }).token
    const res = await api.inject({
      method: 'POST',
      url: '/verify-email/code',
      headers: bearer(session),
      payload: { code: old.code(jti) },
    })
    assert.equal(res.statusCode, 200, res.body)

    const other = await createUser(api, 'linked@example.com', { verified: false })
    const link = old.sign('verify_email', { sub: other.id, ver: 0, email: other.email }).token
    assert.equal((await api.inject({ method: 'POST', url: `/verify-email/${link}` })).statusCode, 200)
  })

  test('receipts published straight to mail.receipts without a valid seal change nothing', async (t) => {
    const api = await build(t)
    const user = await createUser(api, 'receipt@example.com', { verified: false })
    const broker = createBroker({
      urls: [AMQP_URL],
      prefix: api.env.QUEUE_PREFIX,
      name: 'test-forger',
      logger: { info() {}, warn() {}, error() {}, debug() {} },
    })
    broker.start()
    await broker.whenConnected()
    closeBeforeApi(t, api, () => broker.close())

    const tokenId = randomUUID()
    const receipt = (jobId: string) => ({
      jobId,
      type: 'verify_email',
      userId: user.id,
      email: user.email,
      purpose: 'verify_email' as const,
      tokenId,
      tokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      status: 'sent' as const,
      at: new Date().toISOString(),
      error: null,
    })
    const jobIds = [randomUUID(), randomUUID(), randomUUID()]
    const [unsigned, stranger, tampered] = jobIds.map(receipt) as [
      ReturnType<typeof receipt>,
      ReturnType<typeof receipt>,
      ReturnType<typeof receipt>,
    ]
    const strangerSeal = createReceiptSeal('someone-elses-secret-of-32-bytes-or-more')
    const realSeal = createReceiptSeal(TEST_SECRET)
    const dropped = async () => {
      const { values } = await receiptsDropped.get()
      return Object.fromEntries(values.map((v) => [v.labels.reason, v.value]))
    }
    const before = await dropped()
    const forged = [
      unsigned,
      { ...stranger, signature: strangerSeal.sign(stranger) },
      // Sealed for another token id, then changed: the seal covers every field.
      { ...tampered, signature: realSeal.sign({ ...tampered, tokenId: randomUUID() }) },
    ]
    for (const message of forged) {
      await broker.publish(broker.names.receiptsRoutingKey, message, { messageId: randomUUID() })
    }
    const counted = await waitUntil(async () => {
      const now = await dropped()
      const grew = (reason: string) => (now[reason] ?? 0) - (before[reason] ?? 0)
      return grew('unsigned') >= 1 && grew('bad_signature') >= 2 ? now : undefined
    })
    assert.ok(counted)

    const { rows } = await api.db.query('SELECT job_id FROM mail_deliveries WHERE job_id = ANY($1)', [jobIds])
    assert.deepEqual(rows, [], 'no forged receipt was recorded')
    // Had one been recorded, the code of its token id would now confirm the address.
    const session = api.tokens.sign('access', { sub: user.id, ver: 0, scope: 'email_verification' }).token
    const res = await api.inject({
      method: 'POST',
      url: '/verify-email/code',
      headers: bearer(session),
      payload: { code: api.tokens.code(tokenId) },
    })
    assert.equal(res.statusCode, 400)
    assert.equal(errorCode(res), 'AUTH_INVALID_CODE')

    // The same receipt sealed by the worker's secret is recorded.
    const deliver = await receiptSender(t, api)
    const real = await deliver({ userId: user.id, email: user.email, credentialVersion: 0 })
    assert.ok(real.jti)
  })

  test('a bad access key file stops the start with one message naming the variable', () => {
    assert.throws(
      () =>
        testEnv({
          ACCESS_TOKEN_KEY_FILE: '/nonexistent/key.pem',
          ACCESS_TOKEN_PREVIOUS_KEY_FILES: `${writeAccessKeyFile()},/nonexistent/old.pem`,
          JWT_PREVIOUS_SECRETS: 'short',
        }),
      (error: Error) =>
        /ACCESS_TOKEN_KEY_FILE: no such file: \/nonexistent\/key\.pem/.test(error.message) &&
        /ACCESS_TOKEN_PREVIOUS_KEY_FILES\.1: no such file: \/nonexistent\/old\.pem/.test(error.message) &&
        /JWT_PREVIOUS_SECRETS\.0: must be at least 32 bytes/.test(error.message),
    )
  })
})
