import { randomUUID } from 'node:crypto'
import type { Queryable } from '../db/driver.ts'
import { events } from '../events/events.ts'
import type { LoginThrottle } from '../login-throttle/login-throttle.ts'
import type { Outbox } from '../outbox/outbox.ts'
import type { User, Users } from '../users/users-repository.ts'

/**
 * Every way a password changes (a mailed link, or the signed-in user) ends the
 * same: new hash, credential version bumped, sessions revoked, every
 * sign-in lock of the address lifted (whoever was guessing, the old password
 * is gone), and a "your password was changed" notice queued in the same transaction,
 * beside the `user.password_changed` event.
 */
export async function changePassword(
  deps: { users: Users; outbox: Outbox; loginThrottle: Pick<LoginThrottle, 'clearAddress'> },
  tx: Queryable,
  user: Pick<User, 'id' | 'email_verified_at'>,
  passwordHash: string,
  requestId: string,
  method: PasswordChangeMethod,
): Promise<User> {
  const userId = user.id
  const updated = await deps.users.setPassword(tx, userId, passwordHash)
  await events.record(tx, { type: 'user.password_changed', userId, data: { method } }, { requestId })
  // A mailed link proves the mailbox: setting the password confirms an unconfirmed address too.
  if (!user.email_verified_at) {
    const data = { email: updated.email, method: 'set_password' } as const
    await events.record(tx, { type: 'user.email_verified', userId, data }, { requestId })
  }
  await deps.loginThrottle.clearAddress(tx, updated.email)
  await deps.outbox.add(
    tx,
    {
      id: randomUUID(),
      type: 'password_changed',
      email: updated.email,
      locale: updated.locale,
      userId: updated.id,
    },
    requestId,
  )
  return updated
}

/** How the password changed: by a mailed link of one purpose, or by the signed-in user. */
export type PasswordChangeMethod = 'set_password' | 'reset_password' | 'change'
