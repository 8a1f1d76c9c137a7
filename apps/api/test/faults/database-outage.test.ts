import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startTcpProxy } from '@authmail/testing'
import pg from 'pg'
import { address, eventually, faultStack, ownDatabase, readiness, report, waitForAll } from './helper.ts'

interface Answer {
  email: string
  status: number
  code?: string
  at: number
}

/** Registers from `workers` loops until `stop()`; every answer is kept. */
function load(post: (email: string) => Promise<Response>, workers: number) {
  const answers: Answer[] = []
  let running = true
  let n = 0
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const email = address('pg', n++)
      // No answer at all (status 0) would mean the api went down: counted, and asserted against.
      const res = await post(email).catch(() => null)
      const body = (await res?.json().catch(() => ({}))) as { error?: { code?: string } } | undefined
      answers.push({ email, status: res?.status ?? 0, code: body?.error?.code, at: Date.now() })
      await sleep(20)
    }
  })
  return {
    answers,
    async stop() {
      running = false
      await Promise.all(loops)
    },
  }
}

test('PostgreSQL restarting under load: 503 in the envelope meanwhile, then recovery, and no half-written user', {
  skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (PostgreSQL); CI sets it',
}, async (t) => {
  const db = await ownDatabase()
  assert.ok(db)
  const direct = new URL(db.url)
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) || 5432 })
  const sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  const { smtp, stack } = await faultStack(t, {
    databaseUrl: proxy.via(db.url),
    cleanup: [proxy.close, () => sql.end(), db.drop],
  })
  await Promise.all([stack.up('api'), stack.up('worker')])

  const traffic = load((email) => stack.post('/register', { email }), 4)
  await sleep(1000)
  // What a restart does to the api: its sessions end with 57P01, then connections are refused for a while.
  const downAt = Date.now()
  await sql.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  )
  await proxy.cut()
  await sleep(3000)
  await proxy.restore()
  const upAt = Date.now()
  await eventually('registrations succeed again', () =>
    traffic.answers.some((a) => a.at > upAt && a.status === 202),
  )
  const recoverMs = (traffic.answers.find((a) => a.at > upAt && a.status === 202)?.at ?? upAt) - upAt
  await sleep(500)
  await traffic.stop()

  const { answers } = traffic
  const accepted = answers.filter((a) => a.status === 202)
  const unavailable = answers.filter((a) => a.status === 503)
  const other = answers.filter((a) => a.status !== 202 && a.status !== 503)
  // Longer than the relay's 30 s claim lease: a row whose claim or mark was cut off with the
  // database is published again only once its lease runs out (delayed, never lost).
  const delivered = await waitForAll(
    smtp,
    accepted.map((a) => a.email),
    60_000,
  )
  // Every user row came with its outbox row, in one transaction.
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users u
        WHERE u.role = 'user' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.payload->>'email' = u.email)`,
  )
  const halfWritten = rows[0]?.n ?? -1
  await eventually('the api records receipts again', async () => {
    const r = await sql.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM outbox o WHERE o.kind = 'mail' AND NOT EXISTS (SELECT 1 FROM mail_deliveries d WHERE d.job_id = o.id)`,
    )
    return r.rows[0]?.pending === 0
  })
  const ready = await readiness(stack.baseUrl)

  report('postgres-restart', {
    requests: answers.length,
    accepted: accepted.length,
    unavailable_503: unavailable.length,
    other: other.length,
    delivered,
    lost: accepted.length - delivered,
    half_written_users: halfWritten,
    outage_ms: upAt - downAt,
    recover_ms: recoverMs,
  })
  assert.deepEqual(other, [], 'only 202 or 503 while the database is away')
  assert.ok(unavailable.length > 0, 'the outage was felt')
  assert.ok(
    unavailable.every((a) => a.code === 'SERVICE_UNAVAILABLE'),
    'each 503 carries the envelope',
  )
  assert.equal(accepted.length - delivered, 0)
  assert.equal(halfWritten, 0)
  assert.equal(ready.status, 'ready')
})
