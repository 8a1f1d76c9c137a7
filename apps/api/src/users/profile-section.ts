import { z } from 'zod'
import type { AccountSectionFactory } from '../account-data/account-section.ts'
import type { User } from './users-repository.ts'

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)
const date = z.string().meta({ format: 'date-time' })

const ProfileSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  email: z.string(),
  email_verified_at: date.nullable(),
  role: z.enum(['user', 'admin']),
  display_name: z.string().nullable(),
  locale: z.string(),
  created_at: date,
  updated_at: date,
})

/** The account row: everything but the password hash and the credential version. */
export const profileSection: AccountSectionFactory = ({ users }) => ({
  name: 'profile',
  export: {
    schema: ProfileSchema,
    read: async (_q, user: User) => ({
      id: user.id,
      email: user.email,
      email_verified_at: iso(user.email_verified_at),
      role: user.role,
      display_name: user.display_name,
      locale: user.locale,
      created_at: iso(user.created_at),
      updated_at: iso(user.updated_at),
    }),
  },
  erase: async (q, user) => {
    await users.delete(q, user.id)
  },
})
