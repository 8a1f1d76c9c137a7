import assert from 'node:assert/strict'
import { describe, type TestContext, test } from 'node:test'
import { bearer, createUser, errorCode, login, refresh } from './account-fixtures.ts'
import { build, outboxEvents, type Store, stores } from './helper.ts'

/** An api with one admin and one ordinary user, both signed in. */
async function withAdmin(t: TestContext, store: Store) {
  const api = await build(t, { store })
  const admin = await createUser(api, 'admin@example.com', { role: 'admin', verified: true })
  const user = await createUser(api, 'user@example.com', { verified: true })
  const adminTokens = await login(api, 'admin@example.com')
  const userTokens = await login(api, 'user@example.com')
  const as = (access: string) => (method: 'GET' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    api.inject({ method, url, headers: bearer(access), ...(payload ? { payload } : {}) })
  return {
    api,
    admin,
    user,
    userTokens,
    asAdmin: as(adminTokens.access_token),
    asUser: as(userTokens.access_token),
  }
}

interface Page {
  users: { email: string }[]
  next_cursor: string | null
}

/** Every address `GET /users` returns for `query`, following the cursor two at a time. */
async function listAll(get: (url: string) => Promise<{ json(): unknown }>, query: string) {
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page = (await get(`/users?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`)).json() as Page
    assert.ok(page.users.length <= 2)
    seen.push(...page.users.map((u) => u.email))
    cursor = page.next_cursor
  } while (cursor)
  return seen
}

for (const store of stores()) {
  describe(`users admin (${store})`, () => {
    test('only an admin lists users; others get 403, anonymous 401', async (t) => {
      const { api, asUser, asAdmin } = await withAdmin(t, store)
      assert.equal(errorCode(await api.inject({ method: 'GET', url: '/users' })), 'AUTH_UNAUTHENTICATED')
      const forbidden = await asUser('GET', '/users')
      assert.equal(forbidden.statusCode, 403)
      assert.equal(errorCode(forbidden), 'AUTH_FORBIDDEN')
      const res = await asAdmin('GET', '/api/v1/auth/users')
      assert.equal(res.statusCode, 200)
      const emails = res.json().users.map((u: { email: string }) => u.email)
      assert.deepEqual(emails, ['user@example.com', 'admin@example.com'])
      assert.equal(res.json().users[0].email_verification.confirmed, true)
      assert.equal(res.json().next_cursor, null)
    })

    test('GET /users pages by cursor and filters by address and by verification', async (t) => {
      const { api, asAdmin } = await withAdmin(t, store)
      for (const name of ['p1', 'p2', 'p3'])
        await createUser(api, `${name}@pending.test`, { verified: false })
      await createUser(api, 'Zed@Other.test', { verified: true })
      const get = (url: string) => asAdmin('GET', url)

      const all = await listAll(get, '')
      assert.equal(all.length, 6)
      assert.equal(new Set(all).size, 6)
      assert.deepEqual((await listAll(get, '&verified=false')).sort(), [
        'p1@pending.test',
        'p2@pending.test',
        'p3@pending.test',
      ])
      assert.deepEqual(await listAll(get, '&email=OTHER'), ['Zed@Other.test'])
      assert.deepEqual(await listAll(get, '&email=pending&verified=true'), [])

      const bad = await get('/users?cursor=bm90LWEtY3Vyc29y')
      assert.equal(bad.statusCode, 422)
      assert.equal(bad.json().error.field, 'cursor')
      assert.equal((await get('/users?limit=500')).statusCode, 422)
    })

    test('a user may read and edit their own record, and nobody else’s', async (t) => {
      const { admin, user, asUser } = await withAdmin(t, store)
      assert.equal((await asUser('GET', `/users/${user.id}`)).json().email, 'user@example.com')
      assert.equal(errorCode(await asUser('GET', `/users/${admin.id}`)), 'AUTH_FORBIDDEN')
      // 403 also for ids that do not exist, so the answer reveals nothing.
      assert.equal(
        errorCode(await asUser('GET', '/users/00000000-0000-4000-8000-000000000000')),
        'AUTH_FORBIDDEN',
      )

      const renamed = await asUser('PATCH', `/users/${user.id}`, { display_name: 'Me', locale: 'ru' })
      assert.equal(renamed.statusCode, 200)
      assert.equal(renamed.json().display_name, 'Me')
      assert.equal(errorCode(await asUser('PATCH', `/users/${user.id}`, { role: 'admin' })), 'AUTH_FORBIDDEN')
      assert.equal(
        errorCode(await asUser('PATCH', `/users/${user.id}`, { email_verified: false })),
        'AUTH_FORBIDDEN',
      )
      assert.equal(
        errorCode(await asUser('PATCH', `/users/${admin.id}`, { display_name: 'x' })),
        'AUTH_FORBIDDEN',
      )
      assert.equal(errorCode(await asUser('DELETE', `/users/${admin.id}`)), 'AUTH_FORBIDDEN')
      assert.equal(errorCode(await asUser('DELETE', `/users/${user.id}`)), 'AUTH_FORBIDDEN')
    })

    test('an admin changes name, role and verification, with immediate effect', async (t) => {
      const { api, user, asAdmin, asUser } = await withAdmin(t, store)
      const res = await asAdmin('PATCH', `/users/${user.id}`, { display_name: 'Promoted', role: 'admin' })
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(res.json().role, 'admin')
      assert.equal((await asUser('GET', '/users')).statusCode, 200)

      const unverified = await asAdmin('PATCH', `/users/${user.id}`, { email_verified: false, role: 'user' })
      assert.equal(unverified.json().email_verified, false)
      const denied = await api.inject({
        method: 'POST',
        url: '/login',
        payload: { email: 'user@example.com', password: 'tangerine-orbit-47-lantern' },
      })
      assert.equal(errorCode(denied), 'AUTH_EMAIL_NOT_VERIFIED')
      assert.equal(
        (await asAdmin('PATCH', `/users/${user.id}`, { email_verified: true })).json().email_verified,
        true,
      )
      assert.equal(
        errorCode(await asAdmin('GET', '/users/00000000-0000-4000-8000-000000000000')),
        'NOT_FOUND',
      )
      assert.equal(errorCode(await asAdmin('PATCH', '/users/not-a-uuid', { display_name: 'x' })), 'NOT_FOUND')
    })

    test('deleting a user ends their sessions and removes their tokens', async (t) => {
      const { api, user, userTokens, asAdmin, asUser } = await withAdmin(t, store)
      assert.equal((await asAdmin('DELETE', `/users/${user.id}`)).statusCode, 204)
      assert.equal(errorCode(await asUser('GET', '/me')), 'AUTH_INVALID_TOKEN')
      assert.equal((await refresh(api, userTokens.refresh_token)).statusCode, 401)
      const { rows } = await api.db.query('SELECT 1 FROM refresh_tokens WHERE user_id = $1', [user.id])
      assert.equal(rows.length, 0)
      assert.equal(errorCode(await asAdmin('GET', `/users/${user.id}`)), 'NOT_FOUND')
      assert.equal(errorCode(await asAdmin('DELETE', `/users/${user.id}`)), 'NOT_FOUND')
      const deleted = (await outboxEvents(api)).filter((e) => e.type === 'user.deleted')
      assert.deepEqual(
        deleted.map((e) => [e.user_id, e.data]),
        [[user.id, { email: user.email, reason: 'admin' }]],
      )
    })

    test('the last admin can be neither demoted nor deleted', async (t) => {
      const { api, admin, user, asAdmin } = await withAdmin(t, store)
      const demote = await asAdmin('PATCH', `/users/${admin.id}`, { role: 'user' })
      assert.equal(demote.statusCode, 409)
      assert.equal(errorCode(demote), 'LAST_ADMIN')
      assert.equal(errorCode(await asAdmin('DELETE', `/users/${admin.id}`)), 'LAST_ADMIN')
      assert.equal((await api.users.findById(api.db, admin.id))?.role, 'admin')

      await asAdmin('PATCH', `/users/${user.id}`, { role: 'admin' })
      assert.equal((await asAdmin('PATCH', `/users/${admin.id}`, { role: 'user' })).statusCode, 200)
    })
  })
}
