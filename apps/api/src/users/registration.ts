import { randomUUID } from 'node:crypto'
import type { MailJob } from '@authmail/contracts'
import type { FastifyBaseLogger } from 'fastify'
import type { CooldownKind, createCooldowns } from '../cooldowns/cooldowns.ts'
import type { Db } from '../db/driver.ts'
import { sql } from '../db/sql.ts'
import { events } from '../events/events.ts'
import type { BudgetSlot, MailBudget } from '../mail-budget/mail-budget.ts'
import { eventsRecorded, mailsDropped, mailsQueued } from '../metrics.ts'
import { outboxRows } from '../outbox/outbox-repository.ts'
import { type SuppressionReason, suppressionRows } from '../suppressions/suppressions-repository.ts'
import type { Users } from './users-repository.ts'

export interface RegistrationDeps {
  users: Users
  cooldowns: ReturnType<typeof createCooldowns>
  mailBudget: MailBudget
}

const COOLDOWN: CooldownKind = 'verification'

/**
 * Registers an address in one statement (a data-modifying CTE), whether it is
 * new or taken: the account (created, or locked and its unconfirmed password
 * forgotten), the mailbox's cooldown, the mail budgets and the outbox row all
 * commit together or not at all, and both cases cost the same statement. Each
 * step is the SQL of its table's repository, each gated on the one before: no
 * account (a concurrent request made it and sends the mail) claims no cooldown;
 * inside the cooldown no budget is spent; the job is queued only when both
 * budgets gave a slot and the address is not suppressed (the answer stays the
 * same: docs/bounces.md). A new account is announced (`user.registered`) in
 * the same statement. The mail: "you already have an account" for a
 * confirmed address; otherwise the confirmation, a confirmation link for a new
 * account with a password, else a set-password link (so only the mailbox
 * owner chooses the password an account registered twice keeps).
 *
 * On PostgreSQL the budget slots are taken just before, in a statement of their own
 * (`mailBudget.reserve`), and given back when the cooldown was not claimed: every
 * registration updates the same two budget rows, and inside this statement their locks
 * would last until its commit had been flushed, one registration after another. On PGlite
 * (one connection, nothing concurrent) they stay a step of this statement.
 */
export async function registerAccount(
  { users, cooldowns, mailBudget }: RegistrationDeps,
  db: Db,
  input: { email: string; passwordHash: string | null; locale: string; requestId: string },
  log: FastifyBaseLogger,
): Promise<void> {
  const { email, requestId } = input
  const jobId = randomUUID()
  const reserved = db.kind === 'postgres' ? await mailBudget.reserve(db, email) : null
  const claimed = sql`EXISTS (SELECT 1 FROM cooldown)`
  const statement = sql`
    WITH ${users.registrationSteps(input)},
    cooldown AS (${cooldowns.claimStep(email, COOLDOWN, sql`EXISTS (SELECT 1 FROM account)`)}),
    budget AS (${reserved ? mailBudget.reservedStep(reserved, claimed) : mailBudget.admitStep(email, claimed)}),
    mail AS (
      SELECT *, CASE WHEN verified THEN 'account_exists'
                     WHEN has_password THEN 'verify_email' ELSE 'set_password' END AS type
        FROM account),
    suppressed AS (${suppressionRows.reasonStep(email)}),
    queued AS (${outboxRows.insertStep(sql`
      SELECT ${jobId}::uuid, jsonb_build_object('id', ${jobId}::text, 'type', type, 'email', email, 'locale', locale)
               || CASE WHEN type = 'account_exists' THEN '{}'::jsonb
                       ELSE jsonb_build_object('userId', id, 'credentialVersion', credential_version) END,
             ${requestId}::text
        FROM mail WHERE (SELECT count(*) FROM budget) = 2 AND NOT EXISTS (SELECT 1 FROM suppressed)`)}),
    registered AS (${events.registeredStep(sql`created`, requestId)})
    SELECT EXISTS (SELECT 1 FROM cooldown) AS claimed,
           coalesce((SELECT json_agg(budget) FROM budget), '[]') AS budget,
           (SELECT type FROM queued) AS queued,
           EXISTS (SELECT 1 FROM registered) AS registered,
           (SELECT reason FROM suppressed) AS suppressed,
           (SELECT type FROM mail) AS kind,
           (SELECT id FROM mail) AS user_id`
  const { text, values } = statement.render()
  const { rows } = await db
    .query<{
      claimed: boolean
      budget: BudgetSlot[]
      queued: MailJob['type'] | null
      registered: boolean
      suppressed: SuppressionReason | null
      kind: MailJob['type'] | null
      user_id: string | null
    }>(text, values, { name: reserved ? 'register-reserved' : 'register' })
    .catch(async (error: unknown) => {
      if (reserved) await mailBudget.giveBack(db, reserved).catch(() => {})
      throw error
    })
  const result = rows[0]
  if (result?.registered) eventsRecorded.inc({ type: 'user.registered' })
  if (!result?.claimed) {
    // No mail (inside the cooldown, or a concurrent request made the account): no budget spent.
    if (reserved) await mailBudget.giveBack(db, reserved)
    return
  }
  // Past a budget: the request answers as always, the slot the other budget gave goes back.
  if (!(await mailBudget.settle(db, email, result.budget, log))) return
  if (result.queued) mailsQueued.inc({ kind: result.queued })
  if (result.suppressed && result.kind) {
    // As outbox.add does for any other mail: counted, and told to the product (rare: a statement of its own).
    mailsDropped.inc({ reason: 'suppressed' })
    const data = { email, kind: result.kind, reason: result.suppressed }
    await events.record(db, { type: 'mail.suppressed', userId: result.user_id, data }, { requestId })
  }
}
