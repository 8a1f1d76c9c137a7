import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, type TestContext, test } from 'node:test'
import { bearer, createUser, login } from './account-fixtures.ts'
import { type BuildOptions, build, cleanup, freshDatabase, type Store, stores, testEnv } from './helper.ts'
import { copyPgliteDataDir } from './pglite-template.ts'

const ADMIN = { ADMIN_EMAIL: 'Root@Example.COM', ADMIN_PASSWORD: 'first-admin-secret-42' }

/**
 * Starts of the api on one store, as `pnpm api` would: a PGlite directory on
 * disk (without one, build() clones an in-memory template) or a PostgreSQL database.
 * The directory is empty (the very first start runs initdb and the migrations on
 * disk) unless `migrated`, when it holds the migrated template, an initdb spared.
 */
async function storeForStarts(t: TestContext, store: Store, { migrated = false } = {}) {
  const where: BuildOptions = {}
  if (store === 'postgres') {
    where.databaseUrl = await freshDatabase(t)
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'authmail-bootstrap-'))
    // Through cleanup(): removed after the apps on it have closed.
    cleanup(t, () => rm(dir, { recursive: true, force: true }))
    if (migrated) await copyPgliteDataDir(dir)
    where.dataDir = dir
  }
  return (env: Record<string, string>) => build(t, { ...where, env })
}

for (const store of stores()) {
  describe(`admin bootstrap (${store})`, () => {
    test('the first start creates a confirmed admin; a second start changes nothing', async (t) => {
      const start = await storeForStarts(t, store)

      const first = await start(ADMIN)
      const admin = await first.users.findByEmail(first.db, 'root@example.com')
      assert.ok(admin)
      assert.equal(admin.email, 'Root@example.com')
      assert.equal(admin.role, 'admin')
      assert.ok(admin.email_verified_at)
      const tokens = await login(first, 'root@example.com', ADMIN.ADMIN_PASSWORD)
      assert.equal(
        (await first.inject({ method: 'GET', url: '/users', headers: bearer(tokens.access_token) }))
          .statusCode,
        200,
      )
      // The admin picks their own password; the next start must not reset it.
      const changed = await first.inject({
        method: 'POST',
        url: '/me/password',
        headers: bearer(tokens.access_token),
        payload: { current_password: ADMIN.ADMIN_PASSWORD, new_password: 'my-own-admin-secret-7' },
      })
      assert.equal(changed.statusCode, 200, changed.body)
      const before = await first.db.query('SELECT * FROM users ORDER BY id')
      await first.close()

      const second = await start(ADMIN)
      const after = await second.db.query('SELECT * FROM users ORDER BY id')
      assert.deepEqual(after.rows, before.rows)
      await login(second, 'root@example.com', 'my-own-admin-secret-7')
    })

    test('an existing ordinary account with ADMIN_EMAIL is not promoted', async (t) => {
      const start = await storeForStarts(t, store, { migrated: true })
      const first = await start({})
      await createUser(first, 'Root@example.com', { verified: true })
      await first.close()

      const second = await start(ADMIN)
      const user = await second.users.findByEmail(second.db, 'root@example.com')
      assert.equal(user?.role, 'user')
      assert.equal((await second.db.query('SELECT 1 FROM users')).rows.length, 1)
    })
  })
}

describe('admin bootstrap configuration', () => {
  test('a common ADMIN_PASSWORD stops the start with a message naming the variable', () => {
    assert.throws(
      () => testEnv({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'password123' }),
      (error: Error) => {
        assert.match(error.message, /ADMIN_PASSWORD: This password is one of the most common ones/)
        return true
      },
    )
    assert.throws(() => testEnv({ ADMIN_PASSWORD: 'short' }), /ADMIN_PASSWORD: Use at least 8 characters/)
  })
})
