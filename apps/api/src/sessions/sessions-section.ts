import { z } from 'zod'
import type { AccountSectionFactory } from '../account-data/account-section.ts'
import { SessionViewSchema, sessionView } from './session-view.ts'

const ExportedSessionSchema = SessionViewSchema.omit({ current: true })

/** The live sessions as GET /me/sessions shows them; never a refresh token or its hash. */
export const sessionsSection: AccountSectionFactory = ({ sessions }) => ({
  name: 'sessions',
  export: {
    schema: z.array(ExportedSessionSchema),
    read: async (q, user) =>
      (await sessions.list(q, user.id)).map((row) => {
        const { current: _, ...view } = sessionView(row, null)
        return view
      }),
  },
  erase: (q, user) => sessions.forgetAllOf(q, user.id),
})
