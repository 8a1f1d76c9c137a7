import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import type { Users } from './users-repository.ts'

/**
 * Demoting or deleting `id` must leave an admin, or nobody could manage the
 * accounts any more. The admin rows stay locked until the transaction ends,
 * so two such requests take turns instead of each removing "the other" last admin.
 */
export async function keepAnAdmin(users: Users, tx: Queryable, id: string): Promise<void> {
  const admins = await users.lockAdmins(tx)
  if (admins.length === 1 && admins[0] === id) throw new AppError('LAST_ADMIN')
}
