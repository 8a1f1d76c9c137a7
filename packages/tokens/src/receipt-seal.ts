import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto'
import { deriveKey } from './keys.ts'

/** The fields a receipt carries: flat JSON values. */
type Fields = Record<string, string | number | boolean | null>

/** Keys in sorted order: the worker and the api agree on the bytes however each built the object. */
const canonical = (fields: Fields) =>
  JSON.stringify(Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))

/**
 * The HMAC-SHA256 on a mail receipt, keyed by HKDF(JWT_SECRET, `authmail:receipt`):
 * only a holder of the secret can tell the api a mail went out with a given token id.
 */
export function createReceiptSeal(secret: string, previousSecrets: string[] = []) {
  const keys = [secret, ...previousSecrets].map((s) => deriveKey(s, 'receipt'))
  const mac = (key: KeyObject, fields: Fields) =>
    createHmac('sha256', key).update(canonical(fields)).digest('base64url')

  return {
    /** The signature of `fields` (every field of the receipt but the signature). */
    sign: (fields: Fields): string => mac(keys[0] as KeyObject, fields),

    /** True when `signature` was made with the current or a previous secret; compared in constant time. */
    verify(fields: Fields, signature: string): boolean {
      const given = Buffer.from(signature)
      let ok = false
      for (const key of keys) {
        const expected = Buffer.from(mac(key, fields))
        ok = (expected.length === given.length && timingSafeEqual(expected, given)) || ok
      }
      return ok
    },
  }
}

export type ReceiptSeal = ReturnType<typeof createReceiptSeal>
