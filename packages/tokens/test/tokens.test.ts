import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import jwt from 'jsonwebtoken'
import { createTokens, TokenError } from '../src/index.ts'

const SECRET = 'a'.repeat(32)
const ttl = { set_password: 60, verify_email: 60, reset_password: 30, access: 10 }
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
    const tokens = createTokens({ secret: SECRET, issuer, ttl, now: () => now })
    const { token } = tokens.sign('access', { sub: 'u1', ver: 0 })
    now += 11_000
    assert.equal(
      reasonOf(() => tokens.verify(token, 'access')),
      'expired',
    )
    const stranger = createTokens({ secret: 'b'.repeat(32), issuer, ttl, now: () => now })
    assert.equal(
      reasonOf(() => stranger.verify(token, 'access')),
      'invalid',
    )
    const otherIssuer = createTokens({ secret: SECRET, issuer: 'https://evil.example', ttl })
    const forged = otherIssuer.sign('access', { sub: 'u1', ver: 0 }).token
    assert.equal(
      reasonOf(() => createTokens({ secret: SECRET, issuer, ttl }).verify(forged, 'access')),
      'invalid',
    )
  })

  test('alg none and HS512 are refused: the algorithm is pinned', () => {
    const tokens = createTokens({ secret: SECRET, issuer, ttl })
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
})
