import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { DEFAULT_THROTTLE, slowDownMs } from '../src/login-throttle/login-throttle.ts'
import { bearer, createUser, errorCode, PASSWORD } from './account-fixtures.ts'
import { build, stores } from './helper.ts'

const NEW_PASSWORD = 'a-brand-new-passphrase-61'
const attacker = '203.0.113.66'
const owner = '198.51.100.7'

const signIn = (api: FastifyInstance, ip: string, password: string, email = 'ann@example.com') =>
  api.inject({ method: 'POST', url: '/login', remoteAddress: ip, payload: { email, password } })

async function lockOut(api: FastifyInstance, ip: string, email = 'ann@example.com') {
  for (let i = 0; i < 5; i++) assert.equal((await signIn(api, ip, 'wrong-password-1', email)).statusCode, 401)
  const locked = await signIn(api, ip, PASSWORD, email)
  assert.equal(locked.statusCode, 429, 'the failing client is locked out, right password included')
  assert.equal(errorCode(locked), 'AUTH_TOO_MANY_ATTEMPTS')
}

describe('login slow-down per address', () => {
  test('is a small, bounded delay that starts only after several attempts', () => {
    assert.equal(slowDownMs(DEFAULT_THROTTLE.addressFreeAttempts), 0)
    assert.ok(slowDownMs(DEFAULT_THROTTLE.addressFreeAttempts + 1) > 0)
    assert.equal(slowDownMs(10_000), DEFAULT_THROTTLE.maxSlowMs)
    assert.ok(DEFAULT_THROTTLE.maxSlowMs <= 2000)
  })
})

for (const store of stores()) {
  describe(`login lock-out (${store})`, () => {
    test('a client that keeps failing is locked out; the owner on another client still signs in', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'ann@example.com', { verified: true })
      await lockOut(api, attacker)
      const res = await signIn(api, owner, PASSWORD)
      assert.equal(res.statusCode, 200, res.body)
      // The owner's success does not free the attacker's client.
      assert.equal((await signIn(api, attacker, PASSWORD)).statusCode, 429)
    })

    test('failures from many clients only slow the address down, never refuse the right password', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'bob@example.com', { verified: true })
      for (let i = 0; i < 8; i++) {
        assert.equal(
          (await signIn(api, `203.0.113.${i + 1}`, 'wrong-password-1', 'bob@example.com')).statusCode,
          401,
        )
      }
      assert.equal((await signIn(api, owner, PASSWORD, 'bob@example.com')).statusCode, 200)
    })

    test('a password set from a reset link lifts every lock of the address', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'ann@example.com', { verified: true })
      await lockOut(api, attacker)
      const { token } = api.tokens.sign('reset_password', {
        sub: user.id,
        ver: user.credential_version,
        email: user.email,
      })
      const reset = await api.inject({
        method: 'POST',
        url: '/set-password',
        payload: { token, password: NEW_PASSWORD },
      })
      assert.equal(reset.statusCode, 200, reset.body)
      assert.equal((await signIn(api, attacker, NEW_PASSWORD)).statusCode, 200)
    })

    test('a password change lifts every lock of the address', async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'ann@example.com', { verified: true })
      const session = (await signIn(api, owner, PASSWORD)).json()
      await lockOut(api, attacker)
      const changed = await api.inject({
        method: 'POST',
        url: '/me/password',
        remoteAddress: owner,
        headers: bearer(session.access_token),
        payload: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      })
      assert.equal(changed.statusCode, 200, changed.body)
      assert.equal((await signIn(api, attacker, NEW_PASSWORD)).statusCode, 200)
    })
  })
}
