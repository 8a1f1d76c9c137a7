import type { Queryable } from '../db/driver.ts'
import type { User } from './users.ts'

export interface UserPatch {
  display_name?: string | null
  locale?: 'en' | 'ru'
  role?: 'user' | 'admin'
  email_verified?: boolean
}

/**
 * Applies the fields present in `patch`; false if there is no such user.
 * Unsetting "verified" also forgets the reminder, so the
 * account gets one before the unverified cleanup removes it.
 */
export async function updateUser(q: Queryable, id: string, patch: UserPatch): Promise<boolean> {
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
}

/** Locks every admin row, so two requests cannot each demote "the other" last admin. */
export async function lockAdmins(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>("SELECT id FROM users WHERE role = 'admin' FOR UPDATE")
  return rows.map((r) => r.id)
}

/** Deletes the account with everything tied to it (refresh tokens and deliveries cascade). */
export async function deleteUser(q: Queryable, id: string): Promise<boolean> {
  await q.query('DELETE FROM used_tokens WHERE user_id = $1', [id])
  const { rowCount } = await q.query('DELETE FROM users WHERE id = $1', [id])
  return rowCount > 0
}

export interface ListFilter {
  limit: number
  cursor?: { createdAt: string; id: string }
  email?: string
  verified?: boolean
}

/**
 * A page of users, newest first, by keyset: stable while users are added or
 * removed. The cursor carries created_at as PostgreSQL's own text so its
 * microseconds survive the round trip (a JS Date would cut them to ms).
 */
export async function listUsers(q: Queryable, filter: ListFilter) {
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
}
