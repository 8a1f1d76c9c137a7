import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createUser, PASSWORD } from './account-fixtures.ts'
import { build } from './helper.ts'
import { receiptSender, waitUntil } from './verification-helper.ts'

/** The value of one sample in Prometheus' text format (0 when the series does not exist yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const labelPart = line.slice(name.length).split(' ')[0] ?? ''
    if (wanted.every((pair) => labelPart.includes(pair))) return Number(line.split(' ').at(-1))
  }
  return 0
}

async function scrape(api: FastifyInstance): Promise<string> {
  const res = await api.inject({ method: 'GET', url: '/metrics' })
  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/plain/)
  return res.body
}

const login = (api: FastifyInstance, email: string, password: string) =>
  api.inject({ method: 'POST', url: '/login', payload: { email, password } })

test('after real traffic every api metric moves where the traffic went', async (t) => {
  // A low per-IP limit, so the test can also run into @fastify/rate-limit.
  const api = await build(t, { env: { IP_RATE_LIMIT_PER_MINUTE: '8', RESEND_COOLDOWN_SECONDS: '300' } })
  const before = await scrape(api)
  const deliver = await receiptSender(t, api)

  // A registration: one request, one mail queued, published by the relay.
  const registered = await api.inject({
    method: 'POST',
    url: '/register',
    payload: { email: 'new@example.com' },
  })
  assert.equal(registered.statusCode, 202)
  // The app's own 429: a second resend inside the cooldown.
  await api.inject({ method: 'POST', url: '/resend-verification', payload: { email: 'other@example.com' } })
  const cooled = await api.inject({
    method: 'POST',
    url: '/resend-verification',
    payload: { email: 'other@example.com' },
  })
  assert.equal(cooled.statusCode, 429)

  // Logins of every result: success, wrong password, unconfirmed, throttled by the per-address limit.
  await createUser(api, 'ok@example.com', { verified: true })
  await createUser(api, 'pending@example.com', { verified: false })
  assert.equal((await login(api, 'ok@example.com', PASSWORD)).statusCode, 200)
  assert.equal((await login(api, 'pending@example.com', PASSWORD)).statusCode, 403)
  for (let i = 0; i < 5; i++) await login(api, 'guess@example.com', 'wrong-password')
  assert.equal((await login(api, 'guess@example.com', 'wrong-password')).statusCode, 429)
  // @fastify/rate-limit: the 8 requests per minute of this IP on /login are used up by now.
  const limited = await login(api, 'ok@example.com', PASSWORD)
  assert.equal(limited.statusCode, 429)
  assert.equal(limited.json().error.code, 'RATE_LIMITED')

  await api.inject({ method: 'GET', url: '/no/such/route/123' })
  const user = await api.users.findByEmail(api.db, 'new@example.com')
  assert.ok(user)
  await deliver({ userId: user.id, email: user.email, credentialVersion: user.credential_version })
  await waitUntil(async () => ((await api.relay.lag()).pending === 0 ? true : undefined))
  // A row another instance leased a minute ago and never published: pending, and old.
  await api.db.query(
    `INSERT INTO outbox (id, payload, created_at, claimed_until)
     VALUES ($1, '{}', now() - interval '60 seconds', now() + interval '1 hour')`,
    [randomUUID()],
  )

  const after = await scrape(api)
  const moved = (name: string, labels: Record<string, string> = {}) =>
    sample(after, name, labels) - sample(before, name, labels)

  const register = { route: '/register', method: 'POST', status: '202' }
  assert.equal(moved('authmail_http_request_duration_seconds_count', register), 1)
  assert.ok(moved('authmail_http_request_duration_seconds_sum', register) > 0)
  assert.equal(
    moved('authmail_http_request_duration_seconds_count', {
      route: 'unmatched',
      method: 'GET',
      status: '404',
    }),
    1,
  )
  assert.doesNotMatch(after, /no\/such\/route/, 'an unmatched URL never becomes a label value')
  assert.ok(moved('authmail_mails_queued_total', { kind: 'set_password' }) >= 1)
  assert.ok(moved('authmail_outbox_published_total') >= 1)
  assert.equal(moved('authmail_receipts_recorded_total', { status: 'sent' }), 1)
  assert.equal(moved('authmail_login_attempts_total', { result: 'success' }), 1)
  assert.equal(moved('authmail_login_attempts_total', { result: 'unverified' }), 1)
  assert.equal(moved('authmail_login_attempts_total', { result: 'invalid_credentials' }), 5)
  assert.equal(moved('authmail_login_attempts_total', { result: 'throttled' }), 2)
  assert.equal(moved('authmail_rate_limited_total', { route: '/resend-verification' }), 1)
  assert.equal(moved('authmail_rate_limited_total', { route: '/login' }), 2)
  assert.equal(sample(after, 'authmail_outbox_pending'), 1)
  assert.ok(sample(after, 'authmail_outbox_oldest_seconds') >= 59)
})
