import assert from 'node:assert/strict'
import { createHmac, hkdfSync, type KeyObject } from 'node:crypto'
import { describe, test } from 'node:test'
import jwt from 'jsonwebtoken'
import { createTokens, deriveKey, generateAccessKey, TokenError } from '../src/index.ts'

const SECRET = 'a'.repeat(32)
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
  test('a token carries sub, ver, email, jti, purpose, iss, aud and the purpose typ', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const { token, jti, expiresAt } = tokens.sign('reset_password', {
      sub: 'u1',
      ver: 3,
      email: 'a@example.com',
    })
    const claims = tokens.verify(token, 'reset_password')
    assert.deepEqual(
      [claims.sub, claims.ver, claims.email, claims.jti, claims.purpose],
      ['u1', 3, 'a@example.com', jti, 'reset_password'],
    )
    const decoded = jwt.decode(token, { complete: true })
    assert.equal(decoded?.header.typ, 'authmail-reset-password+jwt')
    const body = decoded?.payload as { aud: string; iss: string }
    assert.equal(body.aud, 'authmail:reset_password')
    assert.equal(body.iss, issuer)
    assert.equal(expiresAt.getTime(), (claims.exp as number) * 1000)
    assert.equal(claims.exp - claims.iat, 30)
  })

  test('a token of one purpose is refused for another', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const { token } = tokens.sign('verify_email', { sub: 'u1', ver: 0 })
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
  })

  test('key rotation: tokens and codes of a previous secret still verify, new ones use the new secret', () => {
    const old = createTokens({ secret: SECRET, issuer, ttl })
    const rotated = createTokens({ secret: 'c'.repeat(32), previousSecrets: [SECRET], issuer, ttl })
    const { token, jti } = old.sign('verify_email', { sub: 'u1', ver: 0 })
    assert.equal(rotated.verify(token, 'verify_email').sub, 'u1')
    assert.ok(rotated.checkCode(jti, old.code(jti)))
    const fresh = rotated.sign('verify_email', { sub: 'u1', ver: 0 }).token
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

  test('each link purpose has its own derived key: a token claiming set_password in every field but keyed for verify_email is refused', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
    const payload = {
      sub: 'u1',
      ver: 0,
      jti: 'j1',
      purpose: 'set_password',
      exp: Math.floor(Date.now() / 1000) + 60,
    }
    const forge = (key: string | KeyObject) =>
      jwt.sign(payload, key, {
        algorithm: 'HS256',
        issuer,
        audience: 'authmail:set_password',
        header: { alg: 'HS256', typ: 'authmail-set-password+jwt' },
      })
    // The same claims under the right key pass: only the key differs below.
    assert.equal(tokens.verify(forge(deriveKey(SECRET, 'set_password')), 'set_password').jti, 'j1')
    for (const key of [deriveKey(SECRET, 'verify_email'), deriveKey(SECRET, 'reset_password'), SECRET]) {
      assert.equal(
        reasonOf(() => tokens.verify(forge(key), 'set_password')),
        'invalid',
      )
    }
    // Even with aud and typ checks out of the way, the signature alone tells the purposes apart.
    const verifyEmail = tokens.sign('verify_email', { sub: 'u1', ver: 0 }).token
    assert.throws(() => jwt.verify(verifyEmail, deriveKey(SECRET, 'set_password')), /invalid signature/)
  })

  test('derived keys are HKDF-SHA256 of the secret with info authmail:<purpose>', () => {
    const expected = Buffer.from(hkdfSync('sha256', SECRET, '', 'authmail:verify_email', 32))
    assert.deepEqual(deriveKey(SECRET, 'verify_email').export(), expected)
    const purposes = ['set_password', 'verify_email', 'reset_password', 'code', 'receipt'] as const
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
})
