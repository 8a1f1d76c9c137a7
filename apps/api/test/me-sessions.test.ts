import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { bearer, createUser, errorCode, movableClock, PASSWORD, refresh } from './account-fixtures.ts'
import { build, stores } from './helper.ts'

interface SessionView {
  id: string
  created_at: string
  last_used_at: string
  user_agent: string | null
  ip: string | null
  current: boolean
}

/** Signs in from a client that names itself, behind the proxy at 127.0.0.1. */
async function loginFrom(api: FastifyInstance, email: string, client: { agent: string; ip: string }) {
  const res = await api.inject({
    method: 'POST',
    url: '/login',
    payload: { email, password: PASSWORD },
    headers: { 'user-agent': client.agent, 'x-forwarded-for': client.ip },
  })
  assert.equal(res.statusCode, 200, res.body)
  return res.json() as { access_token: string; refresh_token: string }
}

async function listSessions(api: FastifyInstance, accessToken: string, url = '/me/sessions') {
  const res = await api.inject({ method: 'GET', url, headers: bearer(accessToken) })
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { sessions: SessionView[] }).sessions
}

for (const store of stores()) {
  describe(`me/sessions (${store})`, () => {
    test('lists both sign-ins with their client, marks the current one, and DELETE ends the other', async (t) => {
      const clock = movableClock()
      const api = await build(t, { store, now: clock.now, env: { TRUST_PROXY: '127.0.0.1' } })
      await createUser(api, 'ann@example.com', { verified: true })
      const laptop = await loginFrom(api, 'ann@example.com', { agent: 'Laptop/1.0', ip: '192.0.2.10' })
      clock.advance(60)
      const phone = await loginFrom(api, 'ann@example.com', { agent: 'Phone/2.0', ip: '198.51.100.7' })

      const seenByLaptop = await listSessions(api, laptop.access_token)
      assert.equal(seenByLaptop.length, 2)
      const laptopSession = seenByLaptop.find((s) => s.user_agent === 'Laptop/1.0')
      const phoneSession = seenByLaptop.find((s) => s.user_agent === 'Phone/2.0')
      assert.ok(laptopSession && phoneSession)
      assert.equal(laptopSession.current, true)
      assert.equal(phoneSession.current, false)
      assert.equal(laptopSession.ip, '192.0.2.10', 'the client address behind the trusted proxy')
      assert.equal(phoneSession.ip, '198.51.100.7')
      assert.deepEqual(Object.keys(laptopSession).sort(), [
        'created_at',
        'current',
        'id',
        'ip',
        'last_used_at',
        'user_agent',
      ])

      // The other device sees the same two sessions, with itself as the current one.
      const seenByPhone = await listSessions(api, phone.access_token, '/api/v1/auth/me/sessions')
      assert.deepEqual(
        seenByPhone.filter((s) => s.current).map((s) => s.id),
        [phoneSession.id],
      )

      // A refresh keeps the session (same id, same start) and moves last_used_at.
      clock.advance(120)
      const refreshed = await refresh(api, laptop.refresh_token)
      assert.equal(refreshed.statusCode, 200, refreshed.body)
      const { access_token: laptopAccess } = refreshed.json()
      const afterRefresh = await listSessions(api, laptopAccess)
      const laptopAgain = afterRefresh.find((s) => s.id === laptopSession.id)
      assert.ok(laptopAgain?.current, 'the refreshed access token belongs to the same session')
      assert.equal(laptopAgain.created_at, laptopSession.created_at)
      assert.equal(laptopAgain.user_agent, 'Laptop/1.0')
      const moved = Date.parse(laptopAgain.last_used_at) - Date.parse(laptopSession.last_used_at)
      assert.ok(moved >= 180_000, `last_used_at moved by the 3 minutes the clock went on (${moved} ms)`)

      const ended = await api.inject({
        method: 'DELETE',
        url: `/me/sessions/${phoneSession.id}`,
        headers: bearer(laptopAccess),
      })
      assert.equal(ended.statusCode, 204)
      assert.equal(ended.body, '')
      const phoneRefresh = await refresh(api, phone.refresh_token)
      assert.equal(phoneRefresh.statusCode, 401)
      assert.equal(errorCode(phoneRefresh), 'AUTH_SESSION_EXPIRED')
      assert.deepEqual(
        (await listSessions(api, laptopAccess)).map((s) => s.id),
        [laptopSession.id],
      )

      // Ending it again: it is no longer one of the user's sessions.
      const again = await api.inject({
        method: 'DELETE',
        url: `/api/v1/auth/me/sessions/${phoneSession.id}`,
        headers: bearer(laptopAccess),
      })
      assert.equal(again.statusCode, 404)
      assert.equal(errorCode(again), 'NOT_FOUND')
    })

    test("another user's session, an unknown id and a malformed id all get the same 404, and nothing ends", async (t) => {
      const api = await build(t, { store })
      await createUser(api, 'bob@example.com', { verified: true })
      await createUser(api, 'eve@example.com', { verified: true })
      const bob = await loginFrom(api, 'bob@example.com', { agent: 'Bob', ip: '192.0.2.1' })
      const eve = await loginFrom(api, 'eve@example.com', { agent: 'Eve', ip: '192.0.2.2' })
      const [bobSession] = await listSessions(api, bob.access_token)
      assert.ok(bobSession)

      const attempt = (id: string) =>
        api.inject({ method: 'DELETE', url: `/me/sessions/${id}`, headers: bearer(eve.access_token) })
      const foreign = await attempt(bobSession.id)
      const unknown = await attempt(randomUUID())
      const malformed = await attempt('not-a-session')
      for (const res of [foreign, unknown, malformed]) {
        assert.equal(res.statusCode, 404)
        assert.equal(res.body, foreign.body, 'the answers are byte for byte the same')
      }
      assert.equal(errorCode(foreign), 'NOT_FOUND')
      assert.equal((await refresh(api, bob.refresh_token)).statusCode, 200, "Bob's session lives on")

      const anonymous = await api.inject({ method: 'GET', url: '/me/sessions' })
      assert.equal(anonymous.statusCode, 401)
      assert.equal(errorCode(anonymous), 'AUTH_UNAUTHENTICATED')
      const anonymousDelete = await api.inject({ method: 'DELETE', url: `/me/sessions/${bobSession.id}` })
      assert.equal(anonymousDelete.statusCode, 401)
    })
  })
}
