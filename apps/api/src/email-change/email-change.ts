import { randomUUID } from 'node:crypto'
import { newLinkId } from '@authmail/tokens'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { CooldownResult } from '../cooldowns/cooldowns.ts'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import { events } from '../events/events.ts'
import { consumeLinkToken } from '../link-tokens/link-tokens.ts'
import type { User } from '../users/users-repository.ts'
import { type EmailChange, emailChanges } from './email-changes-repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    emailChange: ReturnType<typeof createEmailChange>
  }
}

type Deps = Pick<FastifyInstance, 'users' | 'outbox' | 'cooldowns' | 'mailBudget' | 'env' | 'now'>

/**
 * Change of address: a request mails the new address a link and a code; only
 * confirming one of them moves the account, and the old address then gets a
 * notice with a link that undoes the move (and locks out whoever made it).
 */
export function createEmailChange({ users, outbox, cooldowns, mailBudget, env, now }: Deps) {
  const at = () => new Date(now()).toISOString()

  /**
   * Queues the confirmation for `newEmail`, or, if the address already has an
   * account, a "someone tried to move an account here" mail to its owner and
   * nothing else. Both take the address's cooldown first, so the answer (and
   * a 429) says nothing about which it was.
   */
  async function request(
    tx: Queryable,
    user: User,
    newEmail: string,
    requestId: string,
    log: FastifyBaseLogger,
  ): Promise<CooldownResult> {
    const slot = await cooldowns.claim(tx, newEmail, 'email_change')
    if (!slot.allowed) return slot
    const owner = await users.findByEmail(tx, newEmail)
    if (owner) {
      if (await mailBudget.admit(tx, newEmail, log)) {
        const job = {
          id: randomUUID(),
          type: 'email_change_taken',
          email: owner.email,
          locale: owner.locale,
        } as const
        await outbox.add(tx, job, requestId)
      }
      return slot
    }
    // Ids the links will carry as their jti: made to fit the short token format.
    const changeId = newLinkId()
    await emailChanges.supersedePending(tx, user.id, at())
    await emailChanges.insert(tx, {
      id: changeId,
      userId: user.id,
      oldEmail: user.email,
      newEmail,
      credentialVersion: user.credential_version,
      at: at(),
      ttlSeconds: env.CHANGE_EMAIL_TTL,
    })
    if (await mailBudget.admit(tx, newEmail, log)) {
      await outbox.add(
        tx,
        {
          id: randomUUID(),
          type: 'email_change',
          email: newEmail,
          locale: user.locale,
          userId: user.id,
          credentialVersion: user.credential_version,
          changeId,
        },
        requestId,
      )
    }
    return slot
  }

  /** Why a pending change cannot be confirmed, in the order a person would want to hear it; null if it can. */
  async function problemOf(q: Queryable, user: User, change: EmailChange | null): Promise<AppError | null> {
    if (!change || change.user_id !== user.id) return new AppError('AUTH_INVALID_TOKEN')
    if (change.superseded_at || change.confirmed_at) return new AppError('AUTH_TOKEN_USED')
    // A password change since the request cancels it, as it kills every other link.
    if (change.credential_version !== user.credential_version) return new AppError('AUTH_TOKEN_USED')
    const owner = await users.findByEmail(q, change.new_email)
    if (owner && owner.id !== user.id) return new AppError('AUTH_EMAIL_TAKEN')
    return null
  }

  /**
   * Moves the account to the change's new address (link or code, whose jti is
   * the change's id, used up in the same transaction) and queues the notice
   * with a revert link to the address it leaves.
   */
  async function confirm(
    tx: Queryable,
    user: User,
    change: EmailChange,
    exp: number,
    requestId: string,
  ): Promise<User> {
    await consumeLinkToken(tx, { jti: change.id, sub: user.id, exp })
    const moved = await users.changeEmail(tx, user.id, change.new_email)
    const changed = { old_email: user.email, new_email: moved.email }
    await events.record(tx, { type: 'user.email_changed', userId: user.id, data: changed }, { requestId })
    const revertId = newLinkId()
    await emailChanges.confirm(tx, change.id, { revertId, at: at(), ttlSeconds: env.REVERT_EMAIL_TTL })
    await outbox.add(
      tx,
      {
        id: randomUUID(),
        type: 'email_changed',
        email: user.email,
        locale: user.locale,
        userId: user.id,
        credentialVersion: moved.credential_version,
        revertId,
        newEmail: moved.email,
      },
      requestId,
    )
    return moved
  }

  /** Why a revert link cannot be used; null if it can. A password change does not stop it: the mover may have made one. */
  async function revertProblemOf(
    q: Queryable,
    userId: string,
    change: EmailChange | null,
  ): Promise<AppError | null> {
    if (!change || change.user_id !== userId) return new AppError('AUTH_INVALID_TOKEN')
    if (change.reverted_at || change.revert_closed_at) return new AppError('AUTH_TOKEN_USED')
    const owner = await users.findByEmail(q, change.old_email)
    if (owner && owner.id !== userId) return new AppError('AUTH_EMAIL_TAKEN')
    return null
  }

  /**
   * Gives the account its old address back, signs everyone out, forgets the
   * password and mails a reset link to the restored address: only its owner
   * can sign in again.
   */
  async function revert(
    tx: Queryable,
    change: EmailChange,
    token: { jti: string; exp: number },
    requestId: string,
  ): Promise<User> {
    await consumeLinkToken(tx, { jti: token.jti, sub: change.user_id, exp: token.exp })
    // The address it leaves: the change's, or a later one if the account moved again.
    const leaving = (await users.findById(tx, change.user_id))?.email ?? change.new_email
    const restored = await users.restoreEmail(tx, change.user_id, change.old_email)
    const changed = { old_email: leaving, new_email: restored.email }
    await events.record(tx, { type: 'user.email_changed', userId: restored.id, data: changed }, { requestId })
    await emailChanges.markReverted(tx, change, at())
    await outbox.add(
      tx,
      {
        id: randomUUID(),
        type: 'reset_password',
        email: restored.email,
        locale: restored.locale,
        userId: restored.id,
        credentialVersion: restored.credential_version,
      },
      requestId,
    )
    return restored
  }

  return { request, problemOf, confirm, revertProblemOf, revert }
}

/** A concurrent change took the address between the check and the update (users_email_key). */
export function isAddressTaken(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505'
}

export default fp(
  async (app) => {
    app.decorate('emailChange', createEmailChange(app))
  },
  { name: 'email-change', dependencies: ['users', 'outbox', 'cooldowns', 'mail-budget', 'env'] },
)
