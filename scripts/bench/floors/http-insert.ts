/**
 * Child process, the floor of P1: the least a register endpoint can do —
 * Fastify parsing a JSON POST and one INSERT through a pg.Pool of the api's
 * size — on the same PostgreSQL. Logging off: a floor carries nothing extra.
 */
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import pg from 'pg'
import { childConfig, tell } from '../child.ts'

const { databaseUrl, table } = childConfig<{ databaseUrl: string; table: string }>()
// The api's pool size (apps/api/src/db/driver.ts).
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })
await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (id uuid PRIMARY KEY, email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now())`)

const app = Fastify({ logger: false })
app.post<{ Body: { email: string } }>('/register', async (request, reply) => {
  await pool.query(`INSERT INTO ${table} (id, email) VALUES ($1, $2)`, [randomUUID(), request.body.email])
  return reply.code(202).send({ ok: true })
})
await app.listen({ port: 0, host: '127.0.0.1' })
tell({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/register` })

process.once('SIGTERM', async () => {
  await app.close()
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.end()
  process.exit(0)
})
