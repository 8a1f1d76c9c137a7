import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import type { MailJob } from '@authmail/contracts'
import { openDb } from '../src/db/driver.ts'
import { migrate } from '../src/db/migrate.ts'
import { type OutboxRow, outboxRows } from '../src/outbox/outbox-repository.ts'
import { createRelay } from '../src/outbox/relay.ts'
import { cleanup, freshDatabase, stores } from './helper.ts'

const job = (): MailJob => ({
  id: randomUUID(),
  type: 'verify_email',
  email: `${randomUUID()}@example.com`,
  locale: 'en',
  userId: randomUUID(),
  credentialVersion: 0,
})

async function database(t: TestContext, store: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'authmail-relay-'))
  const db = openDb({ dataDir, databaseUrl: store === 'postgres' ? await freshDatabase(t) : undefined })
  cleanup(t, async () => {
    await db.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  await migrate(db)
  return db
}

for (const store of stores()) {
  test(`a row added while a pass waits for its confirms is published by another lane at once (${store})`, async (t) => {
    const db = await database(t, store)
    const published: string[] = []
    let releaseFirst = () => {}
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve
    })
    const first = job()
    const second = job()
    const relay = createRelay({
      db,
      log: { info() {}, warn() {} },
      canPublish: () => true,
      // The first row's confirm does not come until the test says so.
      publish: async (row: OutboxRow) => {
        if (row.id === first.id) await firstHeld
        published.push(row.id)
      },
    })
    await outboxRows.insert(db, first, null)
    relay.kick()
    await waitFor(async () => (await claimedIds(db)).includes(first.id))

    await outboxRows.insert(db, second, null)
    relay.kick()
    await waitFor(async () => published.includes(second.id))
    assert.deepEqual(published, [second.id], 'the second row went out while the first pass still waited')

    releaseFirst()
    await relay.stop()
    assert.deepEqual(published, [second.id, first.id])
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    )
    assert.equal(rows[0]?.n, 0, 'both rows are marked published')
  })
}

async function claimedIds(db: Awaited<ReturnType<typeof database>>): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM outbox WHERE claimed_until IS NOT NULL')
  return rows.map((row) => row.id)
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
