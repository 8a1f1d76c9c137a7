import { createHmac, type KeyObject, randomBytes } from 'node:crypto'

/**
 * The compact claims of a link token. A link must fit a phone screen above
 * the code (≤ 200 characters), so the token carries only what the api cannot
 * look up, each as short as it safely goes:
 *
 * - `sub`: the user id, its 16 bytes in base64url (22 characters, not 36);
 * - `jti`: 96 random bits (16 characters); everywhere else (receipts,
 *   `used_tokens`, codes) it is the UUID {@link jtiUuid} spells from them.
 *   A link standing for a row of the api (a pending change of address)
 *   carries that row's UUID instead, packed like `sub` (22 characters);
 * - `ver`: the credential version when the link was minted;
 * - `exp`: required;
 * - `eml`: the first 8 base64url characters (48 bits) of an HMAC of the
 *   address the mail went to, under a key of its own, so the link acts only
 *   on that address without carrying it.
 *
 * No `iss`, `aud`, `typ`, `purpose` or `iat`: the key derived per purpose is
 * what tells purposes apart and who minted the token.
 */
export interface LinkPayload {
  sub: string
  jti: string
  ver: number
  exp: number
  eml: string
}

const BASE64URL = /^[\w-]+$/

const spellUuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A user id as 22 base64url characters. */
export function packUuid(uuid: string): string {
  const lower = uuid.toLowerCase()
  if (!UUID.test(lower)) throw new Error('the subject of a link token must be a UUID')
  return Buffer.from(lower.replaceAll('-', ''), 'hex').toString('base64url')
}

/** The user id back from its 22 characters; null for anything we would not have written. */
export function unpackUuid(packed: unknown): string | null {
  if (typeof packed !== 'string' || packed.length !== 22 || !BASE64URL.test(packed)) return null
  const bytes = Buffer.from(packed, 'base64url')
  // 22 characters hold 132 bits: refuse a spelling whose 4 spare bits are set.
  if (bytes.toString('base64url') !== packed) return null
  return spellUuid(bytes.toString('hex'))
}

/**
 * The token id as a UUID (version 8, RFC 9562: the version and variant
 * nibbles fixed, the 96 random bits around them, zeros after), so the
 * tables and receipts that hold token ids keep their UUID columns.
 */
export function jtiUuid(jti: unknown): string | null {
  if (typeof jti !== 'string' || jti.length !== 16 || !BASE64URL.test(jti)) return null
  const r = Buffer.from(jti, 'base64url').toString('hex')
  return spellUuid(`${r.slice(0, 12)}8${r.slice(12, 15)}8${r.slice(15)}000000`)
}

/** The 16 characters of a token id spelled as a UUID by {@link jtiUuid}; null for any other UUID. */
export function shortJti(uuid: string): string | null {
  const hex = uuid.toLowerCase().replaceAll('-', '')
  if (!/^[0-9a-f]{12}8[0-9a-f]{3}8[0-9a-f]{9}000000$/.test(hex)) return null
  return Buffer.from(`${hex.slice(0, 12)}${hex.slice(13, 16)}${hex.slice(17, 26)}`, 'hex').toString(
    'base64url',
  )
}

/**
 * A UUID for a row of the api a link will stand for (a pending change of
 * address): a link carrying it as its jti takes 16 characters, like any other.
 */
export const newLinkId = (): string => newJti().uuid

/** A fresh token id: its 16 characters for the token, its UUID for everything else. */
export function newJti(): { short: string; uuid: string } {
  const short = randomBytes(12).toString('base64url')
  return { short, uuid: jtiUuid(short) as string }
}

/**
 * The address binding. Case and Unicode form are ignored, as the account's
 * uniqueness ignores them. Keyed, so nobody without the secret can search
 * for a second address with the same 48 bits.
 */
export const addressBinding = (key: KeyObject, address: string): string =>
  createHmac('sha256', key).update(address.normalize('NFC').toLowerCase()).digest('base64url').slice(0, 8)

/** The payload if it has exactly the shape {@link LinkPayload} describes, else null. */
export function readLinkPayload(payload: Record<string, unknown>): LinkPayload | null {
  const { sub, jti, ver, exp, eml, ...rest } = payload
  const user = unpackUuid(sub)
  // 16 characters: a random token id; 22: the UUID of the api row the link stands for.
  const id = jtiUuid(jti) ?? unpackUuid(jti)
  if (
    !user ||
    !id ||
    Object.keys(rest).length > 0 ||
    !Number.isSafeInteger(ver) ||
    (ver as number) < 0 ||
    typeof exp !== 'number' ||
    typeof eml !== 'string' ||
    eml.length !== 8 ||
    !BASE64URL.test(eml)
  ) {
    return null
  }
  return { sub: user, jti: id, ver: ver as number, exp, eml }
}
