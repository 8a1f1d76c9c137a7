import fp from 'fastify-plugin'
import type { Queryable } from '../db/driver.ts'
import { suppressionsAdded } from '../metrics.ts'
import { softBounceRows } from './soft-bounces-repository.ts'
import { type SuppressionCursor, type SuppressionReason, suppressionRows } from './suppressions-repository.ts'

/** Soft bounces that suppress an address, and the window they must fall in. */
export const SOFT_BOUNCE_LIMIT = 3
export const SOFT_BOUNCE_WINDOW_SECONDS = 7 * 86_400

export interface SuppressInput {
  email: string
  reason: SuppressionReason
  /** `smtp` (the worker's server refused the recipient) or `webhook` (the bounce intake). */
  source: 'smtp' | 'webhook'
  detail?: string | null
}

/**
 * The suppression list: addresses the api queues no mail to any more (see
 * outbox.ts), because their mailbox refused us for good or their owner
 * complained. Mailing them again would cost the sender its reputation.
 */
export function createSuppressions(now: () => number) {
  /**
   * The one way an address is suppressed, in the caller's transaction; true
   * when it was not suppressed before.
   */
  async function suppress(q: Queryable, input: SuppressInput): Promise<boolean> {
    const added = await suppressionRows.insert(q, { ...input, detail: input.detail ?? null })
    if (!added) return false
    suppressionsAdded.inc({ reason: input.reason })
    return true
  }

  return {
    suppress,

    /** Counts a temporary refusal; the third within seven days suppresses. True when it did. */
    async softBounce(q: Queryable, email: string, source: SuppressInput['source']): Promise<boolean> {
      const at = now()
      const since = new Date(at - SOFT_BOUNCE_WINDOW_SECONDS * 1000).toISOString()
      const count = await softBounceRows.record(q, email, new Date(at).toISOString(), since)
      if (count < SOFT_BOUNCE_LIMIT) return false
      return suppress(q, { email, reason: 'soft_bounces', source, detail: `${count} soft bounces in 7 days` })
    },

    isSuppressed: async (q: Queryable, email: string) => (await suppressionRows.reasonOf(q, email)) !== null,

    /** Why mail to the address is not sent, or null when it is. */
    reasonFor: (q: Queryable, email: string) => suppressionRows.reasonOf(q, email),

    suppressedAmong: (q: Queryable, emails: readonly string[]) => suppressionRows.among(q, emails),

    list: (q: Queryable, filter: { limit: number; cursor?: SuppressionCursor }) =>
      suppressionRows.list(q, filter),

    /** Lifts a suppression (an admin's decision); its soft bounces are forgotten with it. False: none. */
    async lift(q: Queryable, email: string): Promise<boolean> {
      await softBounceRows.deleteOf(q, email)
      return suppressionRows.delete(q, email)
    },

    /** Forgets soft bounces older than the window (the cleanup's job). */
    prune: (q: Queryable) =>
      softBounceRows.prune(q, new Date(now() - SOFT_BOUNCE_WINDOW_SECONDS * 1000).toISOString()),
  }
}

export type Suppressions = ReturnType<typeof createSuppressions>

declare module 'fastify' {
  interface FastifyInstance {
    suppressions: Suppressions
  }
}

export default fp(
  async (app) => {
    app.decorate('suppressions', createSuppressions(app.now))
  },
  { name: 'suppressions', dependencies: ['env'] },
)
