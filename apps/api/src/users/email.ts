import { domainToASCII } from 'node:url'
import { z } from 'zod'

/**
 * One person, one account: trims, applies Unicode NFC and writes the domain
 * in its lower-case ASCII form (punycode: `bücher.example` →
 * `xn--bcher-kva.example`), which is what DNS and SMTP servers without
 * SMTPUTF8 understand, and what makes both spellings one account. The local
 * part keeps its case for display; uniqueness in the database ignores case
 * (users_email_key).
 */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().normalize('NFC')
  const at = email.lastIndexOf('@')
  if (at < 0) return email
  const domain = email.slice(at + 1)
  // An invalid domain converts to '': left as typed, for the address check to refuse.
  const ascii = domainToASCII(domain) || domain.toLowerCase()
  return `${email.slice(0, at)}@${ascii}`
}

/**
 * The mailbox an address delivers to, for limits only (never for the
 * account): lower-cased, without a `+tag` in the local part, so `ann+1@…` and
 * `ann+2@…` share ann's cooldown. Dots and provider-specific rules are left
 * alone: they differ per provider.
 */
export function mailboxKey(email: string): string {
  const at = email.lastIndexOf('@')
  const local = email.slice(0, at)
  const plus = local.indexOf('+')
  return `${plus > 0 ? local.slice(0, plus) : local}${email.slice(at)}`.toLowerCase()
}

/** An e-mail address as the routes accept it, already normalised. */
export const EmailSchema = z
  .string({ error: 'Enter an e-mail address' })
  .max(254, 'This e-mail address is too long')
  .transform(normalizeEmail)
  .pipe(z.email('Enter a valid e-mail address'))
