import { randomUUID } from 'node:crypto'
import type { MailJob } from '@authmail/contracts'
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
  await outbox.add(tx, confirmationJob(user), requestId)
}

/** The confirmation job of {@link queueConfirmation}. */
function confirmationJob(
  user: Pick<User, 'id' | 'email' | 'locale' | 'password_hash' | 'credential_version'>,
): MailJob {
  return {
    id: randomUUID(),
    type: user.password_hash ? 'verify_email' : 'set_password',
    email: user.email,
    locale: user.locale,
    userId: user.id,
    credentialVersion: user.credential_version,
  }
}
