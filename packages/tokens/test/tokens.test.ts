import assert from 'node:assert/strict'
import { createHmac, hkdfSync, type KeyObject, randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import jwt from 'jsonwebtoken'
import {
  createTokens,
  deriveKey,
  generateAccessKey,
  LINK_TOKEN_PURPOSES,
  newLinkId,
  sampleLinkToken,
  TokenError,
} from '../src/index.ts'

const SECRET = 'a'.repeat(32)
const USER = '0b5f3c1e-9d2a-4f6b-8c7d-1e2f3a4b5c6d'
const ADDRESS = 'Someone@example.com'
const link = { sub: USER, ver: 0, email: ADDRESS }
const V8_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{6}000000$/
const accessKey = generateAccessKey()
const ttl = { set_password: 60, verify_email: 60, reset_password: 30, login_email: 600, access: 10 }
const issuer = 'https://auth.example.com'

function reasonOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof TokenError)
    return error.reason
  }
  return 'accepted'
}

describe('tokens', () => {
  test('a link token is {"alg":"HS256"} with sub, jti, ver, exp and eml alone, under 200 characters for any address', () => {
    let now = 1_800_000_000_000
    const tokens = createTokens({ secret: SECRET, issuer, ttl, now: () => now })
    const long = `${'firstname.middlename.lastname+newsletters'.repeat(2)}@mail.subdomain.example-company.co.uk`
    const { token, jti, expiresAt } = tokens.sign('reset_password', { sub: USER, ver: 3, email: long })
    const decoded = jwt.decode(token, { complete: true })
    assert.deepEqual(decoded?.header, { alg: 'HS256' })
    const payload = decoded?.payload as Record<string, unknown>
    assert.deepEqual(Object.keys(payload).sort(), ['eml', 'exp', 'jti', 'sub', 'ver'])
    assert.equal(payload.sub, Buffer.from(USER.replaceAll('-', ''), 'hex').toString('base64url'))
    assert.match(String(payload.jti), /^[\w-]{16}$/)
    assert.match(String(payload.eml), /^[\w-]{8}$/)
    assert.ok(token.length <= 200, `${token.length} characters`)
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'nothing to escape in a URL')

    const claims = tokens.verify(token, 'reset_password')
    assert.deepEqual(
      [claims.sub, claims.ver, claims.jti, claims.purpose, claims.exp],
      [USER, 3, jti, 'reset_password', now / 1000 + 30],
    )
    assert.match(jti, V8_UUID, 'the jti is a UUID (version 8) for receipts, used_tokens and codes')
    assert.equal(expiresAt.getTime(), claims.exp * 1000)
    assert.ok(tokens.sentTo(claims, long))
    now += 31_000
    assert.equal(
      reasonOf(() => tokens.verify(token, 'reset_password')),
      'expired',
    )
  })

  test('a link token acts on the address it was mailed to, in any case, with a current or previous secret', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const claims = tokens.verify(tokens.sign('verify_email', link).token, 'verify_email')
    assert.ok(tokens.sentTo(claims, ADDRESS))
    assert.ok(tokens.sentTo(claims, 'someone@EXAMPLE.com'))
    assert.ok(!tokens.sentTo(claims, 'someone.else@example.com'))
    assert.ok(!tokens.sentTo(claims, ''))
    const rotated = createTokens({ secret: 'c'.repeat(32), previousSecrets: [SECRET], issuer, ttl })
    assert.ok(rotated.sentTo(claims, ADDRESS))
    assert.ok(!createTokens({ secret: 'c'.repeat(32), issuer, ttl }).sentTo(claims, ADDRESS))
    assert.throws(() => tokens.sign('verify_email', { ...link, email: '' }), /names the address/)
    assert.throws(() => tokens.sign('verify_email', { ...link, sub: 'u1' }), /must be a UUID/)
  })

  test('jtis are fresh for every token', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const jtis = new Set(Array.from({ length: 200 }, () => tokens.sign('verify_email', link).jti))
    assert.equal(jtis.size, 200)
  })

  test('a change-of-address link carries the row id it is given, bound to the address it went to, and lives a day (a revert link a week) by default', () => {
    let now = Date.now()
    const tokens = createTokens({ secret: SECRET, issuer, ttl, now: () => now })
    const jti = newLinkId()
    const change = tokens.sign('change_email', { ...link, email: 'new@example.com', jti })
    assert.ok(change.token.length <= 200, `${change.token.length} characters`)
    const claims = tokens.verify(change.token, 'change_email')
    assert.equal(claims.jti, jti)
    assert.equal(tokens.sentTo(claims, 'new@example.com'), true)
    assert.equal(tokens.sentTo(claims, ADDRESS), false)
    // Any other UUID still works, in 6 more characters.
    const other = tokens.sign('change_email', { ...link, jti: '5a0d6f6e-2f57-4b0e-9c3c-0f6f2a1d9e11' })
    assert.equal(tokens.verify(other.token, 'change_email').jti, '5a0d6f6e-2f57-4b0e-9c3c-0f6f2a1d9e11')
    assert.equal(
      reasonOf(() => tokens.verify(change.token, 'revert_email')),
      'invalid',
    )
    const revert = tokens.sign('revert_email', link)
    now += 86_400_000 + 1000
    assert.equal(
      reasonOf(() => tokens.verify(change.token, 'change_email')),
      'expired',
    )
    assert.equal(tokens.verify(revert.token, 'revert_email').sub, USER)
    now += 6 * 86_400_000
    assert.equal(
      reasonOf(() => tokens.verify(revert.token, 'revert_email')),
      'expired',
    )
  })

  test('a token of one purpose is refused for another', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const { token } = tokens.sign('verify_email', link)
    assert.equal(
      reasonOf(() => tokens.verify(token, 'set_password')),
      'invalid',
    )
    assert.equal(
      reasonOf(() => tokens.verifyAny(token, ['set_password', 'reset_password'])),
      'invalid',
    )
    assert.equal(tokens.verifyAny(token, ['set_password', 'verify_email']).purpose, 'verify_email')
  })

  test('expired only for a well-signed token past exp; other secrets and issuers are invalid', () => {
    let now = Date.now()
    const tokens = createTokens({ secret: SECRET, accessKey, issuer, ttl, now: () => now })
    const { token } = tokens.sign('access', { sub: 'u1', ver: 0 })
    now += 11_000
    assert.equal(
      reasonOf(() => tokens.verify(token, 'access')),
      'expired',
    )
    const stranger = createTokens({
      secret: SECRET,
      accessKey: generateAccessKey(),
      issuer,
      ttl,
      now: () => now,
    })
    assert.equal(
      reasonOf(() => stranger.verify(token, 'access')),
      'invalid',
    )
    const otherIssuer = createTokens({ secret: SECRET, accessKey, issuer: 'https://evil.example', ttl })
    const forged = otherIssuer.sign('access', { sub: 'u1', ver: 0 }).token
    assert.equal(
      reasonOf(() => createTokens({ secret: SECRET, accessKey, issuer, ttl }).verify(forged, 'access')),
      'invalid',
    )
    const otherSecret = createTokens({ secret: 'e'.repeat(32), issuer, ttl }).sign('set_password', link).token
    assert.equal(
      reasonOf(() => tokens.verify(otherSecret, 'set_password')),
      'invalid',
    )
  })

  test('alg none and HS512 are refused: the algorithm is pinned', () => {
    const tokens = createTokens({ secret: SECRET, accessKey, issuer, ttl })
    const payload = {
      sub: 'u1',
      ver: 0,
      jti: 'x',
      purpose: 'access',
      exp: Math.floor(Date.now() / 1000) + 60,
    }
    const opts = { issuer, audience: 'authmail:access', header: { typ: 'authmail-access+jwt' } }
    const none = jwt.sign(payload, null, {
      ...opts,
      algorithm: 'none',
      header: { alg: 'none', typ: 'authmail-access+jwt' },
    })
    const hs512 = jwt.sign(payload, SECRET, {
      ...opts,
      algorithm: 'HS512',
      header: { alg: 'HS512', typ: 'authmail-access+jwt' },
    })
    assert.equal(
      reasonOf(() => tokens.verify(none, 'access')),
      'invalid',
    )
    assert.equal(
      reasonOf(() => tokens.verify(hs512, 'access')),
      'invalid',
    )
    // The same for a link token, even with its purpose's own key.
    const body = jwt.decode(tokens.sign('set_password', link).token) as object
    const key = deriveKey(SECRET, 'set_password')
    for (const algorithm of ['HS512', 'HS384'] as const) {
      const other = jwt.sign(body, key, {
        algorithm,
        noTimestamp: true,
        header: { alg: algorithm, typ: undefined },
      })
      assert.equal(
        reasonOf(() => tokens.verify(other, 'set_password')),
        'invalid',
      )
    }
    const unsigned = jwt.sign(body, null, { algorithm: 'none', header: { alg: 'none', typ: undefined } })
    assert.equal(
      reasonOf(() => tokens.verify(unsigned, 'set_password')),
      'invalid',
    )
  })

  test('a link token without exp, with a claim more, or with a header typ is refused even under the right key', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const key = deriveKey(SECRET, 'verify_email')
    const body = jwt.decode(tokens.sign('verify_email', link).token) as Record<string, unknown>
    const forge = (payload: object, header: object = {}) =>
      jwt.sign(payload, key, {
        algorithm: 'HS256',
        noTimestamp: true,
        header: { alg: 'HS256', typ: undefined, ...header },
      })
    assert.equal(tokens.verify(forge(body), 'verify_email').sub, USER, 'the same claims pass')
    const { exp: _exp, ...withoutExp } = body
    for (const token of [
      forge(withoutExp),
      forge({ ...body, role: 'admin' }),
      forge(body, { typ: 'JWT' }),
      forge({ ...body, sub: 'u1' }),
      forge({ ...body, jti: 'short' }),
      forge({ ...body, ver: '0' }),
    ]) {
      assert.equal(
        reasonOf(() => tokens.verify(token, 'verify_email')),
        'invalid',
      )
    }
  })

  test('long-format link tokens minted before links were shortened verify until they expire', () => {
    let now = Date.now()
    const tokens = createTokens({
      secret: 'c'.repeat(32),
      previousSecrets: [SECRET],
      issuer,
      ttl,
      now: () => now,
    })
    const jti = randomUUID()
    const legacy = (
      purpose: string,
      claims: object = {},
      typ = `authmail-${purpose.replace('_', '-')}+jwt`,
    ) =>
      jwt.sign(
        {
          sub: USER,
          ver: 2,
          email: ADDRESS,
          jti,
          purpose,
          iss: issuer,
          aud: `authmail:${purpose}`,
          iat: Math.floor(now / 1000),
          exp: Math.floor(now / 1000) + 60,
          ...claims,
        },
        deriveKey(SECRET, purpose as 'verify_email'),
        { algorithm: 'HS256', noTimestamp: true, header: { alg: 'HS256', typ } },
      )
    const token = legacy('verify_email')
    assert.ok(token.length > 300, 'the long format')
    const claims = tokens.verify(token, 'verify_email')
    assert.deepEqual([claims.sub, claims.ver, claims.jti, claims.purpose], [USER, 2, jti, 'verify_email'])
    assert.ok(tokens.sentTo(claims, 'someone@EXAMPLE.com'))
    assert.ok(!tokens.sentTo(claims, 'other@example.com'))
    assert.equal(
      reasonOf(() => tokens.verify(token, 'set_password')),
      'invalid',
    )
    for (const refused of [
      legacy('verify_email', { iss: 'https://evil.example' }),
      legacy('verify_email', { purpose: 'set_password' }),
      legacy('verify_email', {}, 'authmail-set-password+jwt'),
      legacy('verify_email', { email: undefined }),
    ]) {
      assert.equal(
        reasonOf(() => tokens.verify(refused, 'verify_email')),
        'invalid',
      )
    }
    now += 61_000
    assert.equal(
      reasonOf(() => tokens.verify(token, 'verify_email')),
      'expired',
    )
  })

  test('key rotation: tokens and codes of a previous secret still verify, new ones use the new secret', () => {
    const old = createTokens({ secret: SECRET, issuer, ttl })
    const rotated = createTokens({ secret: 'c'.repeat(32), previousSecrets: [SECRET], issuer, ttl })
    const { token, jti } = old.sign('verify_email', link)
    assert.equal(rotated.verify(token, 'verify_email').sub, USER)
    assert.ok(rotated.checkCode(jti, old.code(jti)))
    const fresh = rotated.sign('verify_email', link).token
    assert.equal(
      reasonOf(() => old.verify(fresh, 'verify_email')),
      'invalid',
    )
  })

  test('codes are six digits, tied to the jti, and only the right one passes', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const code = tokens.code('jti-1')
    assert.match(code, /^\d{6}$/)
    assert.ok(tokens.checkCode('jti-1', code))
    assert.ok(!tokens.checkCode('jti-2', code) || tokens.code('jti-2') === code)
    assert.ok(!tokens.checkCode('jti-1', code === '000000' ? '000001' : '000000'))
    assert.ok(!tokens.checkCode('jti-1', `${code}0`))
    assert.ok(!tokens.checkCode('jti-1', ''))
  })

  test('each link purpose has its own derived key: the same claims keyed for another purpose are refused', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const payload = jwt.decode(tokens.sign('set_password', link).token) as object
    const forge = (key: string | KeyObject) =>
      jwt.sign(payload, key, {
        algorithm: 'HS256',
        noTimestamp: true,
        header: { alg: 'HS256', typ: undefined },
      })
    // The same claims under the right key pass: only the key differs below.
    assert.equal(tokens.verify(forge(deriveKey(SECRET, 'set_password')), 'set_password').sub, USER)
    for (const key of [
      deriveKey(SECRET, 'verify_email'),
      deriveKey(SECRET, 'reset_password'),
      deriveKey(SECRET, 'address'),
      SECRET,
    ]) {
      assert.equal(
        reasonOf(() => tokens.verify(forge(key), 'set_password')),
        'invalid',
      )
    }
  })

  test('derived keys are HKDF-SHA256 of the secret with info authmail:<purpose>', () => {
    const expected = Buffer.from(hkdfSync('sha256', SECRET, '', 'authmail:verify_email', 32))
    assert.deepEqual(deriveKey(SECRET, 'verify_email').export(), expected)
    const purposes = [...LINK_TOKEN_PURPOSES, 'code', 'receipt', 'address'] as const
    const keys = new Set(purposes.map((p) => deriveKey(SECRET, p).export().toString('hex')))
    assert.equal(keys.size, purposes.length)
    assert.ok(!keys.has(Buffer.from(SECRET).toString('hex')))
  })

  test('codes come from the code key, not the raw secret, and a previous secret still checks', () => {
    const jti = 'jti-rotated'
    const old = createTokens({ secret: SECRET, issuer, ttl })
    const rotated = createTokens({ secret: 'd'.repeat(32), previousSecrets: [SECRET], issuer, ttl })
    const derived = createHmac('sha256', deriveKey(SECRET, 'code')).update(`code:${jti}`).digest()
    assert.equal(old.code(jti), String(derived.readUInt32BE(0) % 1_000_000).padStart(6, '0'))
    assert.ok(rotated.checkCode(jti, old.code(jti)), 'a code mailed before the rotation is accepted')
    assert.ok(rotated.checkCode(jti, rotated.code(jti)))
    const withoutOld = createTokens({ secret: 'd'.repeat(32), issuer, ttl })
    assert.ok(!withoutOld.checkCode(jti, old.code(jti)) || withoutOld.code(jti) === old.code(jti))
  })

  test('sample link tokens have the real length and verify nowhere', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    for (const purpose of LINK_TOKEN_PURPOSES) {
      const sample = sampleLinkToken(purpose)
      assert.equal(sample.length, tokens.sign(purpose, link).token.length)
      assert.equal(
        reasonOf(() => tokens.verify(sample, purpose)),
        'invalid',
      )
    }
  })
})
