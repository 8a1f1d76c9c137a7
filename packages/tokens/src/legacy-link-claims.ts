/**
 * Link tokens in the long format minted before links were shortened: header
 * `typ` per purpose, `iss`, `aud`, `purpose`, the whole address in `email`,
 * a UUID `jti`. They are signed with the same per-purpose keys, so the api
 * keeps accepting those still in inboxes until they expire (24 h at most
 * with the default lifetimes). Nothing mints them any more; this file can go
 * once every deployment has run the short format for longer than its
 * longest link lifetime.
 */
export interface LegacyLinkPayload {
  sub: string
  jti: string
  ver: number
  exp: number
  iat?: number
  email: string
}

export const legacyTypOf = (purpose: string) => `authmail-${purpose.replace('_', '-')}+jwt`

/** The payload if the header and claims are those of the long format for `purpose` from `issuer`, else null. */
export function readLegacyLinkPayload(
  header: { typ?: unknown },
  payload: Record<string, unknown>,
  purpose: string,
  issuer: string,
): LegacyLinkPayload | null {
  const { sub, jti, ver, exp, iat, email } = payload
  if (
    header.typ !== legacyTypOf(purpose) ||
    payload.iss !== issuer ||
    payload.aud !== `authmail:${purpose}` ||
    payload.purpose !== purpose ||
    typeof sub !== 'string' ||
    typeof jti !== 'string' ||
    typeof ver !== 'number' ||
    typeof exp !== 'number' ||
    typeof email !== 'string'
  ) {
    return null
  }
  return { sub, jti, ver, exp, email, ...(typeof iat === 'number' ? { iat } : {}) }
}
