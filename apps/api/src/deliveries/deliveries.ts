import type { MailReceipt } from '@authmail/contracts'
import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'

/** Mail types that ask the recipient to confirm the address (set_password confirms it too). */
export const VERIFICATION_MAIL_TYPES = [
  'verify_email',
  'set_password',
  'unverified_reminder',
  'invitation',
] as const

/**
 * A user's e-mail verification as `GET /me` and the admin's `GET /users` show
 * it: `{sent, timer, confirmed}` plus the detail an operator needs.
 */
export interface VerificationStatus {
  /** The address is confirmed. */
  confirmed: boolean
  confirmed_at: string | null
  /** The worker reported at least one verification mail as sent. */
  sent: boolean
  /** When the last verification mail went out. */
  sent_at: string | null
  /** Seconds until `POST /resend-verification` is allowed again for this address (0: now). */
  timer: number
  /**
   * The newest verification mail's state: `queued` (accepted, no receipt yet),
   * `sent`, `failed` (the worker gave up), or null (none was ever queued).
   */
  last_status: 'queued' | 'sent' | 'failed' | null
  /** The worker's reason when `last_status` is `failed`. */
  last_error: string | null
}

/** The token behind the newest verification mail: its 6-digit code is HMAC(secret, jti). */
export interface VerificationToken {
  token_id: string
  expires_at: Date
  /** The address the mail went to; a code is good only for the address the account still has. */
  email: string
}

interface StatusRow {
  id: string
  email_verified_at: Date | null
  sent_at: Date | null
  last_at: Date | null
  last_status: 'sent' | 'failed' | null
  last_error: string | null
  queued_at: Date | null
  wait: number | null
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)

/**
 * Every statement on `mail_deliveries` (what the worker reported). The status
 * query also reads the user, the outbox and the cooldown of the address: one
 * round trip for a page of users.
 */
export function createDeliveries(cooldownSeconds: number) {
  /** One query for any number of users, so a page of `GET /users` costs one round trip. */
  async function statusForMany(
    q: Queryable,
    userIds: readonly string[],
  ): Promise<Map<string, VerificationStatus>> {
    if (userIds.length === 0) return new Map()
    const { rows } = await q.query<StatusRow>(
      `SELECT u.id, u.email_verified_at, sent.at AS sent_at, last.at AS last_at, last.status AS last_status,
              last.error AS last_error, queued.created_at AS queued_at,
              ceil(extract(epoch FROM c.sent_at + make_interval(secs => $2) - now()))::int AS wait
         FROM users u
         LEFT JOIN LATERAL (SELECT max(at) AS at FROM mail_deliveries
                             WHERE user_id = u.id AND type = ANY($3) AND status = 'sent') sent ON true
         LEFT JOIN LATERAL (SELECT at, status, error FROM mail_deliveries
                             WHERE user_id = u.id AND type = ANY($3) ORDER BY at DESC LIMIT 1) last ON true
         -- A job the worker has not reported on yet: the mail is on its way.
         LEFT JOIN LATERAL (SELECT max(o.created_at) AS created_at FROM outbox o
                             WHERE o.payload->>'userId' = u.id::text AND o.payload->>'type' = ANY($3)
                               AND NOT EXISTS (SELECT 1 FROM mail_deliveries d WHERE d.job_id = o.id)) queued ON true
         LEFT JOIN mail_cooldowns c ON c.email = lower(u.email) AND c.kind = 'verification'
        WHERE u.id = ANY($1::uuid[])`,
      [userIds, cooldownSeconds, VERIFICATION_MAIL_TYPES],
    )
    return new Map(rows.map((row) => [row.id, toStatus(row)]))
  }

  /**
   * Stores receipts, each once (redeliveries are idempotent), in one statement however many there
   * are; a deleted user's receipt keeps no link to them. A mail that was sent stays sent: a late or
   * redelivered failure never replaces it (and with it the token id the mailed code is checked
   * against), inside one call as across calls.
   */
  async function recordMany(q: Queryable, receipts: readonly MailReceipt[]): Promise<void> {
    if (receipts.length === 0) return
    const rows = [...onePerJob(receipts).values()].map((receipt) => ({
      job_id: receipt.jobId,
      user_id: receipt.userId,
      email: receipt.email,
      type: receipt.type,
      purpose: receipt.purpose,
      token_id: receipt.tokenId,
      token_expires_at: receipt.tokenExpiresAt,
      status: receipt.status,
      error: receipt.error,
      at: receipt.at,
    }))
    // One JSON parameter rather than ten per row: the text, and so the prepared plan, is the same
    // for a burst of 1 or 32.
    await q.query(
      `INSERT INTO mail_deliveries
         (job_id, user_id, email, type, purpose, token_id, token_expires_at, status, error, at)
       SELECT r.job_id, u.id, r.email, r.type, r.purpose, r.token_id, r.token_expires_at, r.status, r.error, r.at
         FROM jsonb_to_recordset($1::jsonb) AS r (job_id uuid, user_id uuid, email text, type text, purpose text,
                                                 token_id uuid, token_expires_at timestamptz, status text,
                                                 error text, at timestamptz)
         LEFT JOIN users u ON u.id = r.user_id
       ON CONFLICT (job_id) DO UPDATE SET status = excluded.status, error = excluded.error, at = excluded.at,
         token_id = excluded.token_id, token_expires_at = excluded.token_expires_at
       WHERE mail_deliveries.status <> 'sent' OR excluded.status = 'sent'`,
      [JSON.stringify(rows)],
      { name: 'deliveries-record' },
    )
  }

  function toStatus(row: StatusRow): VerificationStatus {
    const queued = row.queued_at !== null && (row.last_at === null || row.queued_at > row.last_at)
    return {
      confirmed: row.email_verified_at !== null,
      confirmed_at: iso(row.email_verified_at),
      sent: row.sent_at !== null,
      sent_at: iso(row.sent_at),
      timer: Math.max(0, row.wait ?? 0),
      last_status: queued ? 'queued' : row.last_status,
      last_error: queued ? null : row.last_error,
    }
  }

  return {
    statusForMany,

    /** Stores one receipt; see {@link recordMany}. */
    async record(q: Queryable, receipt: MailReceipt): Promise<void> {
      await recordMany(q, [receipt])
    },

    recordMany,

    /**
     * Deletes up to `limit` receipts that name no account, recorded before
     * `before` (the retention job). A deleted user's other receipts go with
     * the user (ON DELETE CASCADE); these came in after the deletion, or were
     * for an address without an account, and nothing reads them.
     */
    async deleteOrphaned(q: Queryable, before: string, limit: number): Promise<number> {
      const { rowCount } = await q.query(
        `DELETE FROM mail_deliveries WHERE job_id IN (
           SELECT job_id FROM mail_deliveries WHERE user_id IS NULL AND recorded_at <= $1::timestamptz LIMIT $2)`,
        [before, limit],
      )
      return rowCount
    },

    /** The verification status of one user; null if there is no such user. */
    async statusFor(q: Queryable, userId: string): Promise<VerificationStatus | null> {
      return (await statusForMany(q, [userId])).get(userId) ?? null
    },

    /** The token a job's mail carried, once the worker reported it sent: a sign-in code is checked against it. */
    async sentTokenOfJob(
      q: Queryable,
      jobId: string,
    ): Promise<{ token_id: string; expires_at: Date } | null> {
      const { rows } = await q.query<{ token_id: string; expires_at: Date }>(
        `SELECT token_id, token_expires_at AS expires_at FROM mail_deliveries
          WHERE job_id = $1 AND status = 'sent' AND token_id IS NOT NULL`,
        [jobId],
      )
      return rows[0] ?? null
    },

    /** The newest verify_email token the worker reported as sent to the user, expired or not. */
    async latestVerificationToken(q: Queryable, userId: string): Promise<VerificationToken | null> {
      const { rows } = await q.query<VerificationToken>(
        `SELECT token_id, token_expires_at AS expires_at, email FROM mail_deliveries
          WHERE user_id = $1 AND purpose = 'verify_email' AND status = 'sent' AND token_id IS NOT NULL
          ORDER BY at DESC LIMIT 1`,
        [userId],
      )
      return rows[0] ?? null
    },

    /** What the worker reported for the user's mails and for mails to the address, newest first. */
    async listOf(q: Queryable, user: { id: string; email: string }): Promise<DeliveryRow[]> {
      const { rows } = await q.query<DeliveryRow>(
        `SELECT job_id, email, type, status, error, at FROM mail_deliveries
          WHERE user_id = $1 OR lower(email) = lower($2)
          ORDER BY at DESC, job_id`,
        [user.id, user.email],
      )
      return rows
    },

    /** The account is being deleted: its receipts, and those of mails to its address before it existed. */
    async deleteOf(q: Queryable, user: { id: string; email: string }): Promise<void> {
      await q.query('DELETE FROM mail_deliveries WHERE user_id = $1 OR lower(email) = lower($2)', [
        user.id,
        user.email,
      ])
    },
  }
}

/**
 * The receipt to store per job when several arrive together (one statement may change a row only
 * once): the last `sent` one if any, else the last one, which is what storing them one by one leaves.
 */
function onePerJob(receipts: readonly MailReceipt[]): Map<string, MailReceipt> {
  const byJob = new Map<string, MailReceipt>()
  for (const receipt of receipts) {
    if (byJob.get(receipt.jobId)?.status === 'sent' && receipt.status !== 'sent') continue
    byJob.set(receipt.jobId, receipt)
  }
  return byJob
}

/** A receipt as the owner's data export shows it: no token id. */
export interface DeliveryRow {
  job_id: string
  email: string
  type: string
  status: 'sent' | 'failed'
  error: string | null
  at: Date
}

export type Deliveries = ReturnType<typeof createDeliveries>

declare module 'fastify' {
  interface FastifyInstance {
    deliveries: Deliveries
  }
}

export default fp(
  async (app) => {
    app.decorate('deliveries', createDeliveries(app.env.RESEND_COOLDOWN_SECONDS))
  },
  { name: 'deliveries', dependencies: ['env', 'db'] },
)
