import fp from 'fastify-plugin'
import { z } from 'zod'
import { cooldownsSection } from '../cooldowns/cooldowns-section.ts'
import type { Queryable } from '../db/driver.ts'
import { mailsSentSection } from '../deliveries/deliveries-section.ts'
import { emailChangesSection } from '../email-change/email-changes-section.ts'
import { usedLinksSection } from '../link-tokens/used-tokens-section.ts'
import { loginCodesSection } from '../login-code/login-codes-section.ts'
import { signInSection } from '../login-throttle/sign-in-section.ts'
import { mailsQueuedSection } from '../outbox/outbox-section.ts'
import { sessionsSection } from '../sessions/sessions-section.ts'
import { profileSection } from '../users/profile-section.ts'
import type { User } from '../users/users-repository.ts'
import { codesSection } from '../verification/codes-section.ts'
import type { AccountSection, AccountSectionFactory } from './account-section.ts'

/**
 * Every concern that keeps something about an account, in the order of the
 * export. Erasing runs in the reverse order, so the account row (the profile)
 * goes last, after everything that points at it.
 */
const SECTIONS: AccountSectionFactory[] = [
  profileSection,
  sessionsSection,
  emailChangesSection,
  mailsSentSection,
  mailsQueuedSection,
  cooldownsSection,
  signInSection,
  codesSection,
  usedLinksSection,
  loginCodesSection,
]

export function createAccountData(sections: AccountSection[]) {
  const exported = sections.flatMap((s) => (s.export ? [{ name: s.name, ...s.export }] : []))

  return {
    /** The schema of the export document: one key per section. */
    schema: z
      .object({
        exported_at: z.string().meta({ format: 'date-time' }),
        ...Object.fromEntries(exported.map((s) => [s.name, s.schema])),
      })
      .describe('Everything stored about the account, without secrets, hashes or tokens'),

    /** Everything stored about the user, one key per section. */
    async exportOf(
      q: Queryable,
      user: User,
      now: Date,
    ): Promise<{ exported_at: string } & Record<string, unknown>> {
      const document: { exported_at: string } & Record<string, unknown> = { exported_at: now.toISOString() }
      for (const section of exported) document[section.name] = await section.read(q, user)
      return document
    },

    /** Deletes the account and every row that names it or its address, in the caller's transaction. */
    async erase(q: Queryable, user: User): Promise<void> {
      for (const section of [...sections].reverse()) await section.erase(q, user)
    },
  }
}

export type AccountData = ReturnType<typeof createAccountData>

declare module 'fastify' {
  interface FastifyInstance {
    accountData: AccountData
  }
}

export default fp(
  async (app) => {
    app.decorate('accountData', createAccountData(SECTIONS.map((section) => section(app))))
  },
  {
    name: 'account-data',
    dependencies: ['users', 'sessions', 'deliveries', 'outbox', 'cooldowns', 'login-throttle'],
  },
)
