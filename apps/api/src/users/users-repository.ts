import type { Locale } from '@authmail/contracts'
import type { Queryable } from '../db/driver.ts'
import { type Sql, sql } from '../db/sql.ts'
import { usedTokens } from '../link-tokens/used-tokens-repository.ts'
import type { RefreshTokens } from '../sessions/refresh-tokens-repository.ts'

/** An account the cleanup removed: enough to announce it (user.deleted). */
export interface DeletedUser {
  id: string
  email: string
}

export interface User {
  id: string
  email: string
  password_hash: string | null
  email_verified_at: Date | null
  credential_version: number
  role: 'user' | 'admin'
  display_name: string | null
  locale: Locale
  created_at: Date
  updated_at: Date
}

export interface UserPatch {
  display_name?: string | null
  locale?: Locale
  role?: 'user' | 'admin'
  email_verified?: boolean
}

export interface ListFilter {
  limit: number
  cursor?: { createdAt: string; id: string }
  email?: string
  verified?: boolean
}

const COLUMNS = `id, email, password_hash, email_verified_at, credential_version, role,
  display_name, locale, created_at, updated_at`

/**
 * Every statement on `users` (DESIGN: one repository per table). Each takes
 * the transaction (or the pool) it should run in.
 */
export function createUsers(deps: { refreshTokens: RefreshTokens }) {
  return {
    async findByEmail(q: Queryable, email: string, { forUpdate = false } = {}): Promise<User | null> {
      const { rows } = await q.query<User>(
        `SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)${forUpdate ? ' FOR UPDATE' : ''}`,
        [email],
        // Sign-in's lookup: one plan per connection (a name stands for exactly one text).
        { name: forUpdate ? 'users-by-email-for-update' : 'users-by-email' },
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
     * The account side of a registration as CTEs, for one statement that also claims the
     * cooldown and queues the mail (users/registration.ts). Ends in `account`: the address's
     * account, locked (`FOR UPDATE`), with `verified` and `has_password`; created if there was
     * none; no row if a concurrent request created it first (that request sends the mail).
     * A second registration of an unconfirmed address forgets the password chosen so far:
     * nobody can tell which registrant owns the mailbox, so whoever confirms it sets their own
     * (docs/security.md, pre-account hijack).
     */
    registrationSteps(user: { email: string; passwordHash: string | null; locale: string }): Sql {
      return sql`existing AS (
          SELECT id, email, password_hash, email_verified_at, credential_version, locale
            FROM users WHERE lower(email) = lower(${user.email}) FOR UPDATE),
        created AS (
          INSERT INTO users (email, password_hash, locale)
          SELECT ${user.email}, ${user.passwordHash}::text, ${user.locale} WHERE NOT EXISTS (SELECT 1 FROM existing)
          ON CONFLICT DO NOTHING
          RETURNING id, email, password_hash, credential_version, locale),
        cleared AS (
          UPDATE users SET password_hash = NULL, updated_at = now()
           WHERE id = (SELECT id FROM existing WHERE email_verified_at IS NULL AND password_hash IS NOT NULL)
          RETURNING id),
        account AS (
          SELECT id, email, locale, credential_version, email_verified_at IS NOT NULL AS verified,
                 email_verified_at IS NOT NULL AND password_hash IS NOT NULL AS has_password
            FROM existing
          UNION ALL
          SELECT id, email, locale, credential_version, false, password_hash IS NOT NULL FROM created)`
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
      await deps.refreshTokens.revokeAllOf(q, userId)
      return rows[0] as User
    },

    /**
     * Forgets the password of an account that is not confirmed yet (someone
     * registered its address again): whoever confirms it next sets their own.
     */
    async clearUnconfirmedPassword(q: Queryable, userId: string): Promise<User | null> {
      const { rows } = await q.query<User>(
        `UPDATE users SET password_hash = NULL, updated_at = now()
          WHERE id = $1 AND email_verified_at IS NULL RETURNING ${COLUMNS}`,
        [userId],
      )
      return rows[0] ?? null
    },

    /** Marks the address confirmed; null if there is no such user. */
    async confirmEmail(q: Queryable, userId: string): Promise<{ email: string } | null> {
      const { rows } = await q.query<{ email: string }>(
        `UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
          WHERE id = $1 RETURNING email`,
        [userId],
      )
      return rows[0] ?? null
    },

    /** Moves the account to an address it just confirmed; sessions and password stay. */
    async changeEmail(q: Queryable, userId: string, email: string): Promise<User> {
      const { rows } = await q.query<User>(
        `UPDATE users SET email = $2, email_verified_at = now(), updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [userId, email],
      )
      return rows[0] as User
    },

    /**
     * Gives the account back an address it was moved away from (the revert
     * link came through it, so it is confirmed) and locks out whoever moved
     * it: the password (which the change required, so they know it) is
     * forgotten, the credential version bumped and every session ended.
     */
    async restoreEmail(q: Queryable, userId: string, email: string): Promise<User> {
      const { rows } = await q.query<User>(
        `UPDATE users SET email = $2, email_verified_at = now(), password_hash = NULL,
                credential_version = credential_version + 1, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [userId, email],
      )
      await deps.refreshTokens.revokeAllOf(q, userId)
      return rows[0] as User
    },

    /**
     * Applies the fields present in `patch`; false if there is no such user.
     * Unsetting "verified" also forgets the reminder, so the
     * account gets one before the unverified cleanup removes it.
     */
    async update(q: Queryable, id: string, patch: UserPatch): Promise<boolean> {
      const { rowCount } = await q.query(
        `UPDATE users SET
           display_name = CASE WHEN $2::boolean THEN $3 ELSE display_name END,
           locale = coalesce($4, locale),
           role = coalesce($5, role),
           email_verified_at = CASE WHEN $6::boolean IS NULL THEN email_verified_at
                                    WHEN $6::boolean THEN coalesce(email_verified_at, now()) END,
           unverified_reminder_sent_at = CASE WHEN $6::boolean IS FALSE THEN NULL ELSE unverified_reminder_sent_at END,
           updated_at = now()
         WHERE id = $1`,
        [
          id,
          'display_name' in patch,
          patch.display_name ?? null,
          patch.locale ?? null,
          patch.role ?? null,
          patch.email_verified ?? null,
        ],
      )
      return rowCount > 0
    },

    /**
     * An account an admin creates: unconfirmed and without a password until
     * its owner follows the invitation; null if the address is taken.
     */
    async invite(
      q: Queryable,
      user: { email: string; locale: string; role: 'user' | 'admin'; invitedUntil: Date },
    ): Promise<User | null> {
      const { rows } = await q.query<User>(
        `INSERT INTO users (email, password_hash, locale, role, invited_until) VALUES ($1, NULL, $2, $3, $4)
         ON CONFLICT DO NOTHING
         RETURNING ${COLUMNS}`,
        [user.email, user.locale, user.role, user.invitedUntil.toISOString()],
      )
      return rows[0] ?? null
    },

    /** A new invitation went out: the unverified cleanup waits for it too. */
    async extendInvitation(q: Queryable, id: string, invitedUntil: Date): Promise<void> {
      await q.query('UPDATE users SET invited_until = $2 WHERE id = $1', [id, invitedUntil.toISOString()])
    },

    /** Locks every admin row, so two requests cannot each demote "the other" last admin. */
    async lockAdmins(q: Queryable): Promise<string[]> {
      const { rows } = await q.query<{ id: string }>("SELECT id FROM users WHERE role = 'admin' FOR UPDATE")
      return rows.map((r) => r.id)
    },

    /** Deletes the account with everything tied to it (refresh tokens and deliveries cascade). */
    async delete(q: Queryable, id: string): Promise<boolean> {
      await usedTokens.deleteOfUsers(q, [id])
      const { rowCount } = await q.query('DELETE FROM users WHERE id = $1', [id])
      return rowCount > 0
    },

    /**
     * A page of users, newest first, by keyset: stable while users are added or
     * removed. The cursor carries created_at as PostgreSQL's own text so its
     * microseconds survive the round trip (a JS Date would cut them to ms).
     */
    async list(q: Queryable, filter: ListFilter) {
      const { rows } = await q.query<User & { cursor_at: string }>(
        `SELECT u.*, u.created_at::text AS cursor_at FROM users u
          WHERE ($1::text IS NULL OR strpos(lower(u.email), lower($1)) > 0)
            AND ($2::boolean IS NULL OR (u.email_verified_at IS NOT NULL) = $2)
            AND ($3::timestamptz IS NULL OR (u.created_at, u.id) < ($3::timestamptz, $4::uuid))
          ORDER BY u.created_at DESC, u.id DESC
          LIMIT $5`,
        [
          filter.email ?? null,
          filter.verified ?? null,
          filter.cursor?.createdAt ?? null,
          filter.cursor?.id ?? null,
          filter.limit + 1,
        ],
      )
      const page = rows.slice(0, filter.limit)
      const last = page.at(-1)
      const next = rows.length > filter.limit && last ? { createdAt: last.cursor_at, id: last.id } : null
      return { users: page as User[], next }
    },

    ...unverifiedQueries,
  }
}

// An invited account waits for its invitation to expire ($1 is the cleanup's "now" in both queries).
const UNVERIFIED = `email_verified_at IS NULL AND role <> 'admin'
  AND (invited_until IS NULL OR invited_until <= $1::timestamptz)`

export interface UnverifiedRule {
  /** The cleanup's "now", from the app clock. */
  at: string
  ttlSeconds: number
  /** Fraction of the TTL at which the reminder goes out. */
  reminderAt: number
  /** Rows per run, to keep each transaction short. */
  batch: number
}

/** The unverified-account cleanup's statements. */
const unverifiedQueries = {
  /** Records the reminder of accounts unconfirmed for `reminderAt` of the TTL, and returns them. */
  async markReminded(q: Queryable, rule: UnverifiedRule) {
    const { at, ttlSeconds, reminderAt, batch } = rule
    const { rows } = await q.query<{
      id: string
      email: string
      locale: Locale
      credential_version: number
      delete_at: Date
      has_password: boolean
    }>(
      `UPDATE users SET unverified_reminder_sent_at = $1::timestamptz WHERE id IN (
         SELECT id FROM users WHERE ${UNVERIFIED} AND unverified_reminder_sent_at IS NULL
            AND created_at <= $1::timestamptz - make_interval(secs => $2::float8)
          ORDER BY created_at LIMIT ${batch})
       RETURNING id, email, locale, credential_version, password_hash IS NOT NULL AS has_password,
         greatest(created_at + make_interval(secs => $3::float8), $1::timestamptz + make_interval(secs => $4::float8)) AS delete_at`,
      [at, ttlSeconds * reminderAt, ttlSeconds, ttlSeconds * (1 - reminderAt)],
    )
    return rows
  },

  /**
   * Deletes accounts past the TTL whose reminder has been out for at least the
   * rest of it (an account un-verified late still gets its warning first).
   */
  async deleteUnverified(q: Queryable, rule: UnverifiedRule): Promise<DeletedUser[]> {
    const { at, ttlSeconds, reminderAt, batch } = rule
    const { rows } = await q.query<DeletedUser>(
      `DELETE FROM users WHERE id IN (
         SELECT id FROM users WHERE ${UNVERIFIED} AND unverified_reminder_sent_at IS NOT NULL
            AND greatest(created_at + make_interval(secs => $2::float8),
                         unverified_reminder_sent_at + make_interval(secs => $3::float8)) <= $1::timestamptz
          LIMIT ${batch})
       RETURNING id, email`,
      [at, ttlSeconds, ttlSeconds * (1 - reminderAt)],
    )
    // Refresh tokens and deliveries go by cascade; used link tokens have no foreign key.
    await usedTokens.deleteOfUsers(
      q,
      rows.map((r) => r.id),
    )
    return rows
  },

  /**
   * Deletes unconfirmed accounts whose address is suppressed for one of
   * `reasons` (the mailbox does not exist): no confirmation can ever reach them.
   */
  async deleteUnverifiedSuppressed(
    q: Queryable,
    at: string,
    reasons: readonly string[],
    batch: number,
  ): Promise<DeletedUser[]> {
    const { rows } = await q.query<DeletedUser>(
      `DELETE FROM users WHERE id IN (
         SELECT id FROM users WHERE ${UNVERIFIED}
            AND lower(email) IN (SELECT email FROM suppressions WHERE reason = ANY($2::text[]))
          LIMIT ${batch})
       RETURNING id, email`,
      [at, reasons],
    )
    await usedTokens.deleteOfUsers(
      q,
      rows.map((r) => r.id),
    )
    return rows
  },
}

export type Users = ReturnType<typeof createUsers>
