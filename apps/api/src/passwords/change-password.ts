import { randomUUID } from 'node:crypto'
import type { Queryable } from '../db/driver.ts'
import type { LoginThrottle } from '../login-throttle/login-throttle.ts'
import type { Outbox } from '../outbox/outbox.ts'
import type { User, Users } from '../users/users-repository.ts'

/**
 * Every way a password changes (a mailed link, or the signed-in user) ends the
 * same: new hash, credential version bumped, sessions revoked, every
 * sign-in lock of the address lifted (whoever was guessing, the old password
 * is gone), and a "your password was changed" notice queued in the same transaction.
 */
export async function changePassword(
  deps: { users: Users; outbox: Outbox; loginThrottle: Pick<LoginThrottle, 'clearAddress'> },
  tx: Queryable,
  userId: string,
  passwordHash: string,
  requestId: string,
): Promise<User> {
  const updated = await deps.users.setPassword(tx, userId, passwordHash)
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
