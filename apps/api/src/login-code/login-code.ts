import { randomUUID } from 'node:crypto'
import type { Tokens } from '@authmail/tokens'
import type { FastifyBaseLogger } from 'fastify'
import type { Cooldowns } from '../cooldowns/cooldowns.ts'
import type { Queryable } from '../db/driver.ts'
import type { Deliveries } from '../deliveries/deliveries.ts'
import { usedTokens } from '../link-tokens/used-tokens-repository.ts'
import type { MailBudget } from '../mail-budget/mail-budget.ts'
import type { Outbox } from '../outbox/outbox.ts'
import type { User, Users } from '../users/users-repository.ts'
import {
  CODE_FAILURE_WINDOW_SECONDS,
  codeFailures,
  MAX_CODE_FAILURES_PER_ADDRESS,
} from '../verification/code-failures-repository.ts'
import { loginCodes } from './login-codes-repository.ts'

/** Tries at one sign-in code, like the verification code's (DESIGN §5). */
export const MAX_LOGIN_CODE_TRIES = 5

/**
 * Queues a sign-in code for a confirmed account, in the caller's transaction.
 * The cooldown is claimed before the address is looked up, so every address
 * costs the same statements up to there and the answer never depends on it.
 */
export async function requestLoginCode(
  deps: { users: Users; cooldowns: Cooldowns; mailBudget: MailBudget; outbox: Outbox },
  tx: Queryable,
  request: { email: string; at: Date; requestId: string; log: FastifyBaseLogger },
): Promise<void> {
  const { email } = request
  if (!(await deps.cooldowns.claim(tx, email, 'login')).allowed) return
  const user = await deps.users.findByEmail(tx, email, { forUpdate: true })
  // An unconfirmed account signs in after confirming; an unknown address gets nothing.
  if (!user?.email_verified_at) return
  if (!(await deps.mailBudget.admit(tx, email, request.log))) return
  const id = randomUUID()
  await loginCodes.replace(tx, {
    userId: user.id,
    jobId: id,
    email: user.email,
    credentialVersion: user.credential_version,
    at: request.at,
  })
  const job = { id, type: 'login_code', email: user.email, locale: user.locale, userId: user.id } as const
  await deps.outbox.add(tx, { ...job, credentialVersion: user.credential_version }, request.requestId)
}

/**
 * Checks a sign-in code and, when it is right, uses it up; returns the account
 * to start a session for, or null. Every refusal is the same null, whatever
 * its reason (unknown address, no code, wrong, expired, used, too many
 * tries), and counts as a wrong code for the address, so the answer says
 * nothing about the account. Tries are counted before the comparison and
 * committed with the refusal (the caller must not roll back on null).
 */
export async function useLoginCode(
  deps: { users: Users; deliveries: Deliveries; tokens: Tokens },
  tx: Queryable,
  attempt: { email: string; code: string; at: Date },
): Promise<User | null> {
  const user = await check(deps, tx, attempt)
  if (!user) await codeFailures.record(tx, attempt.email, attempt.at, CODE_FAILURE_WINDOW_SECONDS)
  return user
}

async function check(
  deps: { users: Users; deliveries: Deliveries; tokens: Tokens },
  tx: Queryable,
  { email, code, at }: { email: string; code: string; at: Date },
): Promise<User | null> {
  const failures = await codeFailures.count(tx, email, at, CODE_FAILURE_WINDOW_SECONDS)
  if (failures >= MAX_CODE_FAILURES_PER_ADDRESS) return null
  // Locks the account: concurrent tries are counted one after the other.
  const user = await deps.users.findByEmail(tx, email, { forUpdate: true })
  if (!user?.email_verified_at) return null
  const pending = await loginCodes.find(tx, user.id)
  if (!pending) return null
  // Mailed to an address the account no longer has, or before a password change.
  if (pending.email.toLowerCase() !== user.email.toLowerCase()) return null
  if (pending.credential_version !== user.credential_version) return null
  // No receipt yet: the worker has not reported the mail sent, so no code is known.
  const token = await deps.deliveries.sentTokenOfJob(tx, pending.job_id)
  if (!token || new Date(token.expires_at).getTime() <= at.getTime()) return null
  if ((await loginCodes.countTry(tx, user.id)) > MAX_LOGIN_CODE_TRIES) return null
  if (!deps.tokens.checkCode(token.token_id, code)) return null
  // The code and the mail's link share the jti: whichever comes first uses both up.
  const exp = Math.floor(new Date(token.expires_at).getTime() / 1000)
  if (!(await usedTokens.markUsed(tx, { jti: token.token_id, userId: user.id, exp }))) return null
  await loginCodes.remove(tx, user.id)
  return user
}
