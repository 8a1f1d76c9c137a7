import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import type { Queryable } from '../db/driver.ts'
import type { User } from '../users/users-repository.ts'

/**
 * What one concern keeps about an account, and how it lets go of it. The
 * owner's export (GET /me/export) and the deletion (DELETE /me) are the sum
 * of the sections, so a table added later is one section and one line in
 * `account-data.ts`, and neither route changes.
 */
export interface AccountSection {
  /** The key of this part of the export. */
  name: string
  /**
   * What the owner may read: never a secret, a hash or a token. Absent for
   * data that is only bookkeeping of secrets (ids of used link tokens).
   */
  export?: {
    schema: z.ZodType
    read(q: Queryable, user: User): Promise<unknown>
  }
  /** Deletes every row of this concern that names the user or their address. */
  erase(q: Queryable, user: User): Promise<void>
}

/** A section is built from the services the app has decorated. */
export type AccountSectionFactory = (app: FastifyInstance) => AccountSection
