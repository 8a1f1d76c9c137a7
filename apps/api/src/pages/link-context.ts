import type { Locale } from '@authmail/contracts'
import type { Queryable } from '../db/driver.ts'
import type { AppError } from '../errors.ts'
import type { Users } from '../users/users-repository.ts'

export interface LinkContext {
  /** The address the link was mailed to: prefilled in the "send a new link" form. */
  email?: string
  /** The account's language, for the page that explains what went wrong. */
  locale?: Locale
}

/**
 * What a link that cannot be used still tells us, for the page only. The
 * payload is read without checking it, so it is trusted only when the
 * signature was good (expired, used, already confirmed) – never for a
 * damaged or foreign token – and only to choose a language and prefill a form.
 */
export async function linkContext(
  users: Users,
  q: Queryable,
  token: string,
  error: AppError,
): Promise<LinkContext> {
  if (error.code === 'AUTH_INVALID_TOKEN') return {}
  const claims = readPayload(token)
  if (!claims) return {}
  const user = typeof claims.sub === 'string' ? await users.findById(q, claims.sub).catch(() => null) : null
  return {
    email: typeof claims.email === 'string' ? claims.email : user?.email,
    locale: user?.locale,
  }
}

function readPayload(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1]
  if (!payload) return null
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}
