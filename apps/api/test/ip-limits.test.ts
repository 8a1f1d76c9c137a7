import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { parseTrustProxy, readEnv } from '../src/env.ts'
import { build, stores, TEST_SECRET } from './helper.ts'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
/** A client address of its own per test, so counts left in the shared Redis never meet. */
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

const tryLogin = (api: FastifyInstance, options: { url?: string; ip?: string; forwardedFor?: string } = {}) =>
  api.inject({
    method: 'POST',
    url: options.url ?? '/login',
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {},
    payload: { email: `someone${randomInt(1e9)}@example.com`, password: 'not-the-password-1' },
  })

describe('TRUST_PROXY', () => {
  test('takes true, a hop count, or proxy addresses and ranges, and refuses anything else', () => {
    assert.equal(parseTrustProxy(undefined), false)
    assert.equal(parseTrustProxy('true'), true)
    assert.equal(parseTrustProxy('2'), 2)
    assert.deepEqual(parseTrustProxy('10.0.0.0/8, 127.0.0.1,::1'), ['10.0.0.0/8', '127.0.0.1', '::1'])
    assert.equal(parseTrustProxy('yes'), null)
    assert.throws(() => readEnv({ JWT_SECRET: TEST_SECRET, TRUST_PROXY: 'loadbalancer' }), /TRUST_PROXY/)
  })
})

for (const store of stores()) {
  describe(`per-IP limits (${store})`, () => {
    test('a limit counts once per client across the root and /api/v1/auth', async (t) => {
      const api = await build(t, { store, env: { IP_RATE_LIMIT_PER_MINUTE: '2' } })
      assert.equal((await tryLogin(api, { url: '/login' })).statusCode, 401)
      assert.equal((await tryLogin(api, { url: '/api/v1/auth/login' })).statusCode, 401)
      const third = await tryLogin(api, { url: '/login' })
      assert.equal(third.statusCode, 429)
      assert.equal(third.json().error.code, 'RATE_LIMITED')
      assert.equal((await tryLogin(api, { url: '/api/v1/auth/login' })).statusCode, 429)
      // Another limit (another route name) and another client count on their own.
      const register = await api.inject({
        method: 'POST',
        url: '/register',
        payload: { email: 'a@example.com' },
      })
      assert.equal(register.statusCode, 202)
      assert.equal((await tryLogin(api, { ip: '10.0.0.2' })).statusCode, 401)
    })

    test('X-Forwarded-For is believed only when TRUST_PROXY names the proxy', async (t) => {
      const limit = { IP_RATE_LIMIT_PER_MINUTE: '2' }
      const untrusting = await build(t, { store, env: limit })
      for (const client of ['192.0.2.1', '192.0.2.2']) {
        assert.equal((await tryLogin(untrusting, { forwardedFor: client })).statusCode, 401)
      }
      // Without TRUST_PROXY a client cannot escape its limit by inventing addresses.
      assert.equal((await tryLogin(untrusting, { forwardedFor: '192.0.2.3' })).statusCode, 429)

      const behindProxy = await build(t, { store, env: { ...limit, TRUST_PROXY: '127.0.0.1' } })
      for (const client of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.1']) {
        assert.equal((await tryLogin(behindProxy, { forwardedFor: client })).statusCode, 401, client)
      }
      // Each client behind the proxy has its own count.
      assert.equal((await tryLogin(behindProxy, { forwardedFor: '192.0.2.1' })).statusCode, 429)

      // A request from an address that is not the named proxy: its header is ignored.
      const other = await build(t, { store, env: { ...limit, TRUST_PROXY: '10.255.0.1' } })
      const ip = randomIp()
      for (const client of ['192.0.2.1', '192.0.2.2']) {
        assert.equal((await tryLogin(other, { ip, forwardedFor: client })).statusCode, 401)
      }
      assert.equal((await tryLogin(other, { ip, forwardedFor: '192.0.2.3' })).statusCode, 429)
    })

    test('two api instances sharing REDIS_URL share the per-IP count; without it each counts alone', async (t) => {
      const shared = { IP_RATE_LIMIT_PER_MINUTE: '2', REDIS_URL }
      const first = await build(t, { store, env: shared })
      const second = await build(t, { store, env: shared })
      const ip = randomIp()
      assert.equal((await tryLogin(first, { ip })).statusCode, 401)
      assert.equal((await tryLogin(second, { ip, url: '/api/v1/auth/login' })).statusCode, 401)
      assert.equal((await tryLogin(first, { ip })).statusCode, 429)
      assert.equal((await tryLogin(second, { ip })).statusCode, 429)

      const alone = { IP_RATE_LIMIT_PER_MINUTE: '2' }
      const third = await build(t, { store, env: alone })
      const fourth = await build(t, { store, env: alone })
      const other = randomIp()
      for (const api of [third, third, fourth, fourth]) {
        assert.equal((await tryLogin(api, { ip: other })).statusCode, 401)
      }
    })

    test('an unreachable Redis lets requests through instead of failing them', async (t) => {
      const api = await build(t, {
        store,
        env: { IP_RATE_LIMIT_PER_MINUTE: '1', REDIS_URL: 'redis://127.0.0.1:1' },
      })
      for (let i = 0; i < 3; i++) assert.equal((await tryLogin(api)).statusCode, 401)
    })
  })
}
