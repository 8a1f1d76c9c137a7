import { z } from 'zod'

/**
 * One person, one account: trims, applies Unicode NFC and lower-cases the
 * domain. The local part keeps its case for display; uniqueness in the
 * database ignores case (users_email_key).
 */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().normalize('NFC')
  const at = email.lastIndexOf('@')
  if (at < 0) return email
  return `${email.slice(0, at)}${email.slice(at).toLowerCase()}`
}

/** An e-mail address as the routes accept it, already normalised. */
export const EmailSchema = z
  .string({ error: 'Enter an e-mail address' })
  .max(254, 'This e-mail address is too long')
  .transform(normalizeEmail)
  .pipe(z.email('Enter a valid e-mail address'))
