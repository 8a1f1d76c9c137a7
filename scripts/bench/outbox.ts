/**
 * Writes a backlog of outbox rows straight into the api's database while the
 * api is stopped, as if requests had queued mail during a broker outage.
 * PGlite allows one process at a time, hence "while stopped".
 */
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

// One statement: ids and payloads made by the database, each payload a valid set-password job.
const INSERT = `INSERT INTO outbox (id, payload)
  SELECT id, jsonb_build_object('id', id, 'type', 'set_password', 'email', $2 || '-' || i || '@example.com',
    'locale', 'en', 'userId', gen_random_uuid(), 'credentialVersion', 0)
  FROM (SELECT gen_random_uuid() AS id, i FROM generate_series(1, $1::int) AS i) AS rows`

export async function insertOutboxBacklog(
  where: { databaseUrl?: string; dataDir: string },
  rows: number,
  emailPrefix: string,
): Promise<void> {
  if (where.databaseUrl) {
    const client = new pg.Client({ connectionString: where.databaseUrl })
    await client.connect()
    try {
      await client.query(INSERT, [rows, emailPrefix])
    } finally {
      await client.end()
    }
    return
  }
  const db = await PGlite.create(where.dataDir)
  try {
    await db.query(INSERT, [rows, emailPrefix])
  } finally {
    await db.close()
  }
}
