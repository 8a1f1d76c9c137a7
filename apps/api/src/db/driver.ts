import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

export interface QueryResult<T> {
  rows: T[]
  rowCount: number
}

/**
 * `name`: PostgreSQL keeps the statement prepared on each pooled connection and
 * plans it once instead of on every call (PGlite ignores it). For hot statements
 * whose text never changes: planning the registration statement cost more
 * PostgreSQL CPU than running it (docs/performance.md, third pass).
 */
export interface QueryOptions {
  name?: string
}

/** What queries need: one method, the same on a pool, a transaction, PostgreSQL or PGlite. */
export interface Queryable {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<T>>
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export function openDb(options: { databaseUrl?: string; dataDir: string }): Db {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir)
}

function openPostgres(connectionString: string): Db {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000 })
  // An idle client losing its connection (database restarted) must not crash the process.
  pool.on('error', () => {})
  const query: Queryable['query'] = async (sql, params, options) => {
    const result = await pool.query({ text: sql, values: params, name: options?.name })
    return { rows: result.rows, rowCount: result.rowCount ?? 0 }
  }
  return {
    kind: 'postgres',
    query,
    async transaction(fn) {
      const client = await pool.connect()
      // A checked-out client has no listener of the pool's: a connection lost mid-transaction
      // (database restarted) would be an uncaught 'error' that kills the process. The query
      // under way fails on its own; the broken client is discarded on release.
      let lost: Error | undefined
      const onError = (error: Error) => {
        lost = error
      }
      client.on('error', onError)
      try {
        await client.query('BEGIN')
        const result = await fn({
          query: async (sql, params, options) => {
            const r = await client.query({ text: sql, values: params, name: options?.name })
            return { rows: r.rows, rowCount: r.rowCount ?? 0 }
          },
        })
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.off('error', onError)
        client.release(lost)
      }
    },
    close: () => pool.end(),
  }
}

/** Embedded PostgreSQL (WebAssembly): the default when no DATABASE_URL is set. */
function openPglite(dataDir: string): Db {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true })
  return wrapPglite(new PGlite(dataDir, { startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] }))
}

/**
 * PGlite's memory is WebAssembly memory, which grows and never shrinks: what
 * PostgreSQL touches stays in the api's RSS. PostgreSQL's default 128 MB of
 * shared buffers fills up under load and is far more than an embedded store
 * needs (its files sit in the OS cache anyway). Measured on reopening a
 * database: 290 MB RSS with the default, 171 MB with 16 MB.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB']

/** The Db interface over a PGlite instance (tests open theirs from a migrated template). */
export function wrapPglite(db: PGlite): Db {
  const wrap =
    (q: Pick<PGlite, 'query'>): Queryable['query'] =>
    async (sql, params) => {
      const result = await q.query(sql, params)
      return { rows: result.rows as never[], rowCount: result.affectedRows ?? result.rows.length }
    }
  return {
    kind: 'pglite',
    query: wrap(db),
    transaction: (fn) => db.transaction((tx) => fn({ query: wrap(tx) })),
    close: () => db.close(),
  }
}
