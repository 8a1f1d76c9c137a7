import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * The bounce intake's guard, run before the body is read. Unset, the route is
 * as absent as any unknown path (the same 404); set, the bearer must match it.
 * Both sides are hashed first so the comparison is constant-time whatever the
 * length of what was sent.
 */
export function bounceSecretGuard(secret: string | undefined) {
  const expected = secret ? digest(secret) : null
  return async (request: FastifyRequest) => {
    if (!expected) {
      throw new AppError('NOT_FOUND', { message: `No route ${request.method} ${request.url.split('?')[0]}` })
    }
    const header = request.headers.authorization ?? ''
    const given = digest(header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '')
    if (!timingSafeEqual(given, expected)) {
      throw new AppError('AUTH_INVALID_TOKEN', {
        message: 'Send the bounce webhook secret as "Authorization: Bearer …"',
      })
    }
  }
}
