import assert from 'node:assert/strict'
import { describe, type TestContext, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { bearer, createUser, errorCode, login } from './account-fixtures.ts'
import { build, type Store, stores } from './helper.ts'

const SECRET = 'bounce-webhook-secret-of-at-least-32-bytes'

async function withWebhook(t: TestContext, store: Store) {
  const api = await build(t, { store, env: { BOUNCE_WEBHOOK_SECRET: SECRET } })
  const report = (payload: unknown, secret = SECRET) =>
    api.inject({
      method: 'POST',
      url: '/webhooks/bounces',
      headers: bearer(secret),
      payload: payload as object,
    })
  return { api, report }
}

async function suppressions(api: FastifyInstance) {
  const { rows } = await api.db.query<{ email: string; reason: string; source: string }>(
    'SELECT email, reason, source FROM suppressions ORDER BY email',
  )
  return rows
}

for (const store of stores()) {
  describe(`bounce webhook (${store})`, () => {
    test('a hard bounce and a complaint suppress at once; soft bounces suppress at the third', async (t) => {
      const { api, report } = await withWebhook(t, store)
      const hard = await report({ email: 'Gone@Example.COM', type: 'hard' })
      assert.equal(hard.statusCode, 200)
      assert.deepEqual(hard.json(), { received: 1, suppressed: 1 })
      const batch = await report([
        { email: 'angry@example.com', type: 'complaint' },
        { email: 'full@example.com', type: 'soft' },
        { email: 'full@example.com', type: 'soft' },
      ])
      assert.deepEqual(batch.json(), { received: 3, suppressed: 1 })
      assert.deepEqual(await suppressions(api), [
        { email: 'angry@example.com', reason: 'complaint', source: 'webhook' },
        { email: 'gone@example.com', reason: 'hard_bounce', source: 'webhook' },
      ])
      // The alias answers too; the third soft bounce within seven days suppresses.
      const third = await api.inject({
        method: 'POST',
        url: '/api/v1/auth/webhooks/bounces',
        headers: bearer(SECRET),
        payload: { email: 'full@example.com', type: 'soft' },
      })
      assert.deepEqual(third.json(), { received: 1, suppressed: 1 })
      // Reported again: already suppressed, the first reason stays.
      assert.deepEqual((await report({ email: 'gone@example.com', type: 'complaint' })).json(), {
        received: 1,
        suppressed: 0,
      })
      assert.deepEqual(
        (await suppressions(api)).map((row) => [row.email, row.reason]),
        [
          ['angry@example.com', 'complaint'],
          ['full@example.com', 'soft_bounces'],
          ['gone@example.com', 'hard_bounce'],
        ],
      )
    })

    test('a wrong or missing secret is 401, a bad body 422, and neither changes anything', async (t) => {
      const { api, report } = await withWebhook(t, store)
      const wrong = await report({ email: 'a@example.com', type: 'hard' }, `${SECRET}x`)
      assert.equal(wrong.statusCode, 401)
      assert.equal(errorCode(wrong), 'AUTH_INVALID_TOKEN')
      const missing = await api.inject({
        method: 'POST',
        url: '/webhooks/bounces',
        payload: { email: 'a@example.com', type: 'hard' },
      })
      assert.equal(missing.statusCode, 401)
      assert.equal(missing.body, wrong.body, 'missing and wrong answer alike')
      // The secret is checked before the body is read: a bad body with a bad secret is still 401.
      assert.equal((await report({ type: 'nonsense' }, 'wrong')).statusCode, 401)

      const badType = await report({ email: 'a@example.com', type: 'bounced' })
      assert.equal(badType.statusCode, 422)
      assert.equal(errorCode(badType), 'VALIDATION_ERROR')
      assert.match(badType.json().error.message, /"hard"\|"soft"\|"complaint"/, 'the message names the types')
      const badEmail = await report([{ email: 'not an address', type: 'hard' }])
      assert.equal(badEmail.statusCode, 422)
      const tooMany = Array.from({ length: 101 }, (_, i) => ({ email: `u${i}@example.com`, type: 'hard' }))
      assert.equal((await report(tooMany)).statusCode, 422)
      assert.equal((await report([])).statusCode, 422)
      assert.deepEqual(await suppressions(api), [])
    })

    test('without BOUNCE_WEBHOOK_SECRET the route answers like any unknown path', async (t) => {
      const api = await build(t, { store })
      const payload = { email: 'a@example.com', type: 'hard' }
      const res = await api.inject({
        method: 'POST',
        url: '/webhooks/bounces',
        headers: bearer('x'),
        payload,
      })
      const unknown = await api.inject({ method: 'POST', url: '/webhooks/nothing', payload })
      assert.equal(res.statusCode, 404)
      assert.equal(res.body, unknown.body.replace('/webhooks/nothing', '/webhooks/bounces'))
      assert.deepEqual(await suppressions(api), [])
    })

    test('admins list suppressions by cursor and lift them; users see whether their address is suppressed', async (t) => {
      const { api, report } = await withWebhook(t, store)
      await createUser(api, 'admin@example.com', { role: 'admin', verified: true })
      const user = await createUser(api, 'Ann@example.com', { verified: true })
      const asAdmin = bearer((await login(api, 'admin@example.com')).access_token)
      const get = (url: string) => api.inject({ method: 'GET', url, headers: asAdmin })
      for (const name of ['a', 'b', 'c', 'ann']) await report({ email: `${name}@example.com`, type: 'hard' })

      const seen: string[] = []
      let cursor: string | null = null
      do {
        const res = await get(`/suppressions?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        assert.equal(res.statusCode, 200)
        const page = res.json() as { suppressions: { email: string; reason: string }[]; next_cursor: string }
        assert.ok(page.suppressions.length <= 3)
        assert.ok(page.suppressions.every((s) => s.reason === 'hard_bounce'))
        seen.push(...page.suppressions.map((s) => s.email))
        cursor = page.next_cursor
      } while (cursor)
      assert.deepEqual(seen.sort(), ['a@example.com', 'ann@example.com', 'b@example.com', 'c@example.com'])
      assert.equal((await get('/suppressions?cursor=bad')).statusCode, 422)
      const anonymous = await api.inject({ method: 'GET', url: '/suppressions' })
      assert.equal(anonymous.statusCode, 401)
      const asUser = bearer((await login(api, 'Ann@example.com')).access_token)
      assert.equal(
        (await api.inject({ method: 'GET', url: '/suppressions', headers: asUser })).statusCode,
        403,
      )

      // Ann's address differs from the list's only in case: still hers.
      const listed = (await get('/users')).json() as { users: { email: string; email_suppressed: boolean }[] }
      assert.deepEqual(
        listed.users.map((u) => [u.email, u.email_suppressed]),
        [
          ['Ann@example.com', true],
          ['admin@example.com', false],
        ],
      )
      assert.equal((await get(`/users/${user.id}`)).json().email_suppressed, true)

      const lift = await api.inject({
        method: 'DELETE',
        url: '/suppressions/ANN@example.com',
        headers: asAdmin,
      })
      assert.equal(lift.statusCode, 204)
      assert.equal((await get(`/users/${user.id}`)).json().email_suppressed, false)
      const again = await api.inject({
        method: 'DELETE',
        url: '/suppressions/ann@example.com',
        headers: asAdmin,
      })
      assert.equal(again.statusCode, 404)
      assert.equal(errorCode(again), 'NOT_FOUND')
      assert.equal(
        (await api.inject({ method: 'DELETE', url: '/suppressions/a@example.com', headers: asUser }))
          .statusCode,
        403,
      )
      assert.equal((await suppressions(api)).length, 3)
    })
  })
}
