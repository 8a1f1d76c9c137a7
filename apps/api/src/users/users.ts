import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'

export interface User {
  id: string
  email: string
  password_hash: string | null
  email_verified_at: Date | null
  credential_version: number
  role: 'user' | 'admin'
  display_name: string | null
  locale: 'en' | 'ru'
  created_at: Date
  updated_at: Date
}

const COLUMNS = `id, email, password_hash, email_verified_at, credential_version, role,
  display_name, locale, created_at, updated_at`

/** Queries on accounts. Each takes the transaction (or the pool) it should run in. */
export function createUsers() {
  return {
    async findByEmail(q: Queryable, email: string, { forUpdate = false } = {}): Promise<User | null> {
      const { rows } = await q.query<User>(
        `SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)${forUpdate ? ' FOR UPDATE' : ''}`,
        [email],
      )
      return rows[0] ?? null
    },

    async findById(q: Queryable, id: string, { forUpdate = false } = {}): Promise<User | null> {
      const { rows } = await q.query<User>(
        `SELECT ${COLUMNS} FROM users WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
        [id],
      )
      return rows[0] ?? null
    },

    /** Inserts unless the address is taken; null means another request created it first. */
    async insert(
      q: Queryable,
      user: { email: string; passwordHash: string | null; locale: string; role?: string; verified?: boolean },
    ): Promise<User | null> {
      const { rows } = await q.query<User>(
        `INSERT INTO users (email, password_hash, locale, role, email_verified_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN now() END)
         ON CONFLICT DO NOTHING
         RETURNING ${COLUMNS}`,
        [user.email, user.passwordHash, user.locale, user.role ?? 'user', user.verified ?? false],
      )
      return rows[0] ?? null
    },

    /**
     * Sets a new password: confirms the address (the link came through it),
     * bumps the credential version so older links die, and ends every session.
     */
    async setPassword(q: Queryable, userId: string, passwordHash: string): Promise<User> {
      const { rows } = await q.query<User>(
        `UPDATE users SET password_hash = $2, credential_version = credential_version + 1,
                email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [userId, passwordHash],
      )
      await q.query(
        'UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL',
        [userId],
      )
      return rows[0] as User
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    users: ReturnType<typeof createUsers>
  }
}

export default fp(
  async (app) => {
    app.decorate('users', createUsers())
  },
  { name: 'users' },
)
