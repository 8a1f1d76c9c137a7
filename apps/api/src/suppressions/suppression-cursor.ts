import { AppError } from '../errors.ts'
import { PG_TIMESTAMP } from '../users/user-cursor.ts'
import type { SuppressionCursor } from './suppressions-repository.ts'

/** Opaque to clients: where the next page of `GET /suppressions` starts (as users/user-cursor.ts). */
export const encodeSuppressionCursor = (cursor: SuppressionCursor) =>
  Buffer.from(JSON.stringify([cursor.createdAt, cursor.email])).toString('base64url')

/** Checked before it reaches SQL, so a tampered cursor is a 422, not a database error. */
export function decodeSuppressionCursor(raw: string): SuppressionCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2) {
      const [createdAt, email] = value as unknown[]
      if (
        typeof createdAt === 'string' &&
        typeof email === 'string' &&
        PG_TIMESTAMP.test(createdAt) &&
        email.length <= 254
      ) {
        return { createdAt, email }
      }
    }
  } catch {
    // falls through to the same answer as any other bad cursor
  }
  throw new AppError('VALIDATION_ERROR', {
    field: 'cursor',
    message: 'This cursor is not valid; start from the first page',
  })
}
