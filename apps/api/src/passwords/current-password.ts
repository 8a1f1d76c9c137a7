import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Queryable } from '../db/driver.ts'
import { AppError } from '../errors.ts'
import type { LoginThrottle } from '../login-throttle/login-throttle.ts'
import type { User } from '../users/users-repository.ts'
import { verifyPassword } from './passwords.ts'

/**
 * A signed-in user proving it is them before changing the password or the
 * address, or deleting the account: a stolen access token alone must not do
 * these. The password counts against the sign-in throttle like a login, a
 * wrong one gets the same 401 on every route (with `field` naming the route's
 * own body field), and the right one starts the count over, as a sign-in does.
 */
export async function confirmCurrentPassword(
  deps: { db: Queryable; loginThrottle: LoginThrottle },
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
  candidate: { password: string; field: string },
): Promise<void> {
  await deps.loginThrottle.guard(deps.db, user.email, request.ip, reply)
  if (!user.password_hash || !(await verifyPassword(user.password_hash, candidate.password))) {
    throw new AppError('AUTH_INVALID_CREDENTIALS', {
      field: candidate.field,
      message: 'The current password is wrong',
    })
  }
  await deps.loginThrottle.clear(deps.db, user.email, request.ip)
}
