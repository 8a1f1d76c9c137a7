import { AppError } from '../errors.ts'

export interface UserCursor {
  createdAt: string
  id: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
// PostgreSQL's text form of a timestamptz, e.g. 2025-01-31 12:00:00.123456+00.
export const PG_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/

export const isUuid = (value: string) => UUID.test(value)

/** Opaque to clients: where the next page of `GET /users` starts. */
export const encodeCursor = (cursor: UserCursor) =>
  Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url')

/** Checked before it reaches SQL, so a tampered cursor is a 422, not a database error. */
export function decodeCursor(raw: string): UserCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2) {
      const [createdAt, id] = value as unknown[]
      if (
        typeof createdAt === 'string' &&
        typeof id === 'string' &&
        PG_TIMESTAMP.test(createdAt) &&
        isUuid(id)
      ) {
        return { createdAt, id }
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
