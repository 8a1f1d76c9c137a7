import type { LinkTokenPurpose } from './keys.ts'
import { createTokens } from './tokens.ts'

// Published on purpose: a token signed with it verifies on no deployment.
const SAMPLE_SECRET = 'authmail sample links: this is not a secret'

const samples = createTokens({
  secret: SAMPLE_SECRET,
  issuer: 'https://example.com',
  ttl: { set_password: 86_400, verify_email: 86_400, reset_password: 3_600, access: 0 },
})

/**
 * A link token in the real format, so of the real length, for a user who does
 * not exist, signed with a key no deployment holds: what the mail preview
 * puts in its links, so they show what a reader will see.
 */
export const sampleLinkToken = (purpose: LinkTokenPurpose): string =>
  samples.sign(purpose, { sub: '00000000-0000-0000-0000-000000000000', ver: 0, email: 'someone@example.com' })
    .token
