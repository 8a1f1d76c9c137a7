import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Db } from './driver.ts'

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations')
/** Any constant: serialises migrations when several api instances start at once. */
const MIGRATION_LOCK = 716_001

/**
 * Applies the numbered `migrations/*.sql` files not yet applied, in order, all
 * in one transaction under an advisory lock: a failing file leaves the schema
 * as it was, and a second instance starting at once waits, then finds nothing to do.
 */
export async function migrate(db: Db): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort()
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`)
    const { rows } = await tx.query<{ name: string }>('SELECT name FROM schema_migrations')
    const applied = new Set(rows.map((r) => r.name))
    const fresh = files.filter((f) => !applied.has(f))
    for (const file of fresh) {
      const sql = await readFile(join(MIGRATIONS_DIR, file), 'utf8')
      // Plain statements separated by semicolons at line ends; no functions with bodies.
      for (const statement of sql.split(/;\s*$/m).map((s) => s.trim())) {
        if (statement) await tx.query(statement)
      }
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file])
    }
    return fresh
  })
}
