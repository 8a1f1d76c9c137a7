import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { VerificationStatus } from '../deliveries/deliveries.ts'
import { AppError } from '../errors.ts'
import type { User } from './users-repository.ts'

/** A display name as people type it: trimmed, and empty means "none". */
export const DisplayNameSchema = z
  .string()
  .trim()
  .max(100, 'Use at most 100 characters')
  .transform((name) => name || null)
  .nullable()

/**
 * What an account looks like to its owner and to admins: never the hash, never
 * internal columns. `suppressed`: no mail goes to the address (bounced, refused or complained).
 */
export function userView(user: User, verification: VerificationStatus | null, suppressed: boolean) {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.email_verified_at !== null,
    role: user.role,
    display_name: user.display_name,
    locale: user.locale,
    created_at: new Date(user.created_at).toISOString(),
    updated_at: new Date(user.updated_at).toISOString(),
    email_verification: verification,
    email_suppressed: suppressed,
  }
}

/** The user `app.authenticate` put on the request; routes call it only behind that preHandler. */
export function signedIn(request: FastifyRequest): User {
  if (!request.user) throw new AppError('AUTH_UNAUTHENTICATED')
  return request.user
}
