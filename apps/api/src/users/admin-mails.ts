import { randomUUID } from 'node:crypto'
import type { Locale } from '@authmail/contracts'
import type { FastifyBaseLogger } from 'fastify'
import type { CooldownKind, Cooldowns } from '../cooldowns/cooldowns.ts'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import type { MailBudget } from '../mail-budget/mail-budget.ts'
import type { Outbox } from '../outbox/outbox.ts'
import { queueConfirmation } from '../verification/confirmation-mail.ts'
import type { User, Users } from './users-repository.ts'

export interface AdminMailDeps {
  users: Users
  outbox: Outbox
  cooldowns: Cooldowns
  mailBudget: MailBudget
  /** INVITE_TTL in seconds. */
  inviteTtl: number
  now: () => number
}

/** Who asked, for the log line and the job's request id. */
export interface AdminRequest {
  adminId: string
  requestId: string
  log: FastifyBaseLogger
}

/**
 * Mails an admin sends to one account. Unlike the public routes there is no
 * enumeration to hide, so every refusal is said plainly; the mail budget and
 * the per-address cooldown still hold, so an admin account cannot flood a mailbox.
 */
export function createAdminMails(deps: AdminMailDeps) {
  const { users, outbox, cooldowns, mailBudget } = deps

  async function admit(tx: Queryable, email: string, log: FastifyBaseLogger) {
    if (!(await mailBudget.admit(tx, email, log))) {
      throw new AppError('RATE_LIMITED', {
        message: 'The mail budget of this minute is spent; try again soon',
      })
    }
  }

  async function claim(tx: Queryable, email: string, kind: CooldownKind) {
    const slot = await cooldowns.claim(tx, email, kind)
    if (!slot.allowed) {
      throw new AppError('AUTH_EMAIL_RESEND_COOLDOWN', {
        message: `Please wait ${slot.waitSeconds} seconds before sending this address another mail`,
        details: { wait_seconds: slot.waitSeconds },
      })
    }
  }

  /** An invitation: a set-password link that lasts INVITE_TTL, and keeps the account that long. */
  async function queueInvitation(tx: Queryable, user: User, requestId: string) {
    const invitedUntil = new Date(deps.now() + deps.inviteTtl * 1000)
    await users.extendInvitation(tx, user.id, invitedUntil)
    const job = { id: randomUUID(), type: 'invitation', email: user.email, locale: user.locale } as const
    await outbox.add(tx, { ...job, userId: user.id, credentialVersion: user.credential_version }, requestId)
  }

  return {
    /** Creates an unconfirmed account without a password and mails its owner the invitation. */
    async invite(
      tx: Queryable,
      fields: { email: string; role: 'user' | 'admin'; locale: Locale },
      request: AdminRequest,
    ): Promise<User> {
      const invitedUntil = new Date(deps.now() + deps.inviteTtl * 1000)
      const user = await users.invite(tx, { ...fields, invitedUntil })
      if (!user) throw new AppError('EMAIL_TAKEN', { field: 'email' })
      await admit(tx, user.email, request.log)
      await queueInvitation(tx, user, request.requestId)
      request.log.info({ adminId: request.adminId, userId: user.id, role: user.role }, 'admin invited a user')
      return user
    },

    /** A reset link, as `POST /recover-password` would send it. */
    async sendReset(tx: Queryable, user: User, request: AdminRequest): Promise<void> {
      await claim(tx, user.email, 'recovery')
      await admit(tx, user.email, request.log)
      const job = {
        id: randomUUID(),
        type: 'reset_password',
        email: user.email,
        locale: user.locale,
      } as const
      await outbox.add(
        tx,
        { ...job, userId: user.id, credentialVersion: user.credential_version },
        request.requestId,
      )
      request.log.info({ adminId: request.adminId, userId: user.id }, 'admin sent a password reset link')
    },

    /**
     * A new confirmation mail. An account without a password (an invited one,
     * or one registered without) gets a new invitation: it lasts INVITE_TTL,
     * not the 24 h of a registration's set-password link.
     */
    async resendVerification(tx: Queryable, user: User, request: AdminRequest): Promise<void> {
      if (user.email_verified_at) {
        throw new AppError('AUTH_EMAIL_ALREADY_VERIFIED', { details: { email: user.email } })
      }
      await claim(tx, user.email, 'verification')
      await admit(tx, user.email, request.log)
      if (user.password_hash) await queueConfirmation(outbox, tx, user, request.requestId)
      else await queueInvitation(tx, user, request.requestId)
      request.log.info({ adminId: request.adminId, userId: user.id }, 'admin resent the confirmation')
    },
  }
}

export type AdminMails = ReturnType<typeof createAdminMails>
