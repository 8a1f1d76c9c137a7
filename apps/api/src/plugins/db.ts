import fp from 'fastify-plugin'
import { type Db, openDb } from '../db/driver.ts'
import { migrate } from '../db/migrate.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

/** Opens PostgreSQL (DATABASE_URL) or PGlite (DATA_DIR), brings the schema up to date, closes on shutdown. */
export default fp<{ db?: Db }>(
  async (app, options) => {
    const { DATABASE_URL, DATA_DIR } = app.env
    const db = options.db ?? openDb({ databaseUrl: DATABASE_URL, dataDir: DATA_DIR })
    const applied = await migrate(db)
    if (applied.length > 0) app.log.info({ migrations: applied, store: db.kind }, 'database migrated')
    app.decorate('db', db)
    app.addHook('onClose', () => db.close())
  },
  { name: 'db', dependencies: ['env'] },
)
