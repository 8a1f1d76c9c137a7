import { z } from 'zod'
import type { SessionRow } from './refresh-tokens-repository.ts'

const iso = z.string().meta({ format: 'date-time' })

export const SessionViewSchema = z
  .object({
    id: z.string().meta({ format: 'uuid', description: 'The session; DELETE /me/sessions/{id} ends it' }),
    created_at: iso.meta({ description: 'When the session began (the sign-in)' }),
    last_used_at: iso.meta({ description: 'When its refresh token was last traded for a new pair' }),
    user_agent: z.string().nullable(),
    ip: z.string().nullable().meta({ description: 'The client address at sign-in' }),
    current: z.boolean().meta({ description: 'The session of the access token making this request' }),
  })
  .describe('A signed-in device or client')

/** A session as its owner sees it: no token, no hash; `current` marks the one asking. */
export function sessionView(row: SessionRow, currentId: string | null) {
  return {
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: new Date(row.last_used_at).toISOString(),
    user_agent: row.user_agent,
    ip: row.ip,
    current: row.id === currentId,
  }
}
