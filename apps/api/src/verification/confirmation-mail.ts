import { randomUUID } from 'node:crypto'
import type { Queryable } from '../db/driver.ts'
import type { Outbox } from '../outbox/outbox.ts'
import type { User } from '../users/users-repository.ts'

/**
 * Queues the mail that confirms an account: a confirmation link (and code) if
 * it has a password, otherwise a set-password link, which confirms it too.
 */
export async function queueConfirmation(
  outbox: Outbox,
  tx: Queryable,
  user: User,
  requestId: string,
): Promise<void> {
  const type = user.password_hash ? ('verify_email' as const) : ('set_password' as const)
  await outbox.add(
    tx,
    {
      id: randomUUID(),
      type,
      email: user.email,
      locale: user.locale,
      userId: user.id,
      credentialVersion: user.credential_version,
    },
    requestId,
  )
}
