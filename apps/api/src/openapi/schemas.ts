import { z } from 'zod'
import { ERRORS, type ErrorCode } from '../errors.ts'

/**
 * Response schemas shared by the routes. A response schema also serialises
 * (fastify-type-provider-zod encodes the reply with it and drops unknown keys),
 * so each one is exactly what its route sends.
 */

/** Routes behind `app.authenticate`: a bearer access token. */
export const BEARER = [{ bearer: [] }]

/** What any route may answer when the database is away or something breaks. */
const ALWAYS: ErrorCode[] = ['INTERNAL', 'SERVICE_UNAVAILABLE']
/** What a route with a JSON or form body may answer before its handler runs. */
export const BODY_ERRORS: ErrorCode[] = [
  'BAD_REQUEST',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'VALIDATION_ERROR',
]
/** What `app.authenticate` refuses with. */
export const AUTH_ERRORS: ErrorCode[] = [
  'AUTH_UNAUTHENTICATED',
  'AUTH_INVALID_TOKEN',
  'AUTH_TOKEN_EXPIRED',
  'AUTH_SESSION_EXPIRED',
  'AUTH_EMAIL_NOT_VERIFIED',
]

/**
 * The error envelope of DESIGN §6 for some codes. The codes are documented as
 * an enum but not enforced when serialising: a code a route gains later must
 * not turn its 4xx into a 500.
 */
function envelope(codes: ErrorCode[]) {
  return z
    .object({
      error: z.object({
        code: z.string().meta({ enum: codes }),
        message: z.string(),
        field: z.string().nullable().meta({ description: 'The request field at fault, if any' }),
        details: z.record(z.string(), z.unknown()),
      }),
    })
    .describe(codes.join(', '))
}

/** The error responses of a route, one envelope per status listing every code it may carry. */
export function errors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of new Set([...codes, ...ALWAYS])) {
    const status = ERRORS[code][0]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, envelope(list)]))
}

/** An HTML page (forms post here and get a page back). */
export const html = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string() } },
})

/** A route that answers JSON, or a page when a form posted to it. */
export const jsonOrPage = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema }, 'text/html': { schema: z.string() } },
})

export const MessageSchema = z.object({ message: z.string() })

export const MessageEmailSchema = z.object({ message: z.string(), email: z.string() })

export const TokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds until the access token expires' }),
  })
  .describe('A new session: access and refresh token')

const iso = z.string().meta({ format: 'date-time' })

export const VerificationStatusSchema = z.object({
  confirmed: z.boolean(),
  confirmed_at: iso.nullable(),
  sent: z.boolean(),
  sent_at: iso.nullable(),
  timer: z.number().int().meta({ description: 'Seconds until a new verification mail may be requested' }),
  last_status: z.enum(['queued', 'sent', 'failed']).nullable(),
  last_error: z.string().nullable(),
})

export const UserViewSchema = z
  .object({
    id: z.string().meta({ format: 'uuid' }),
    email: z.string(),
    email_verified: z.boolean(),
    role: z.enum(['user', 'admin']),
    display_name: z.string().nullable(),
    locale: z.string(),
    created_at: iso,
    updated_at: iso,
    email_verification: VerificationStatusSchema.nullable(),
    email_suppressed: z.boolean().meta({
      description: 'No mail goes to this address: it bounced, was refused, or its owner complained',
    }),
  })
  .describe('An account')

/** `204 No Content`. */
export const noContent = (description: string) => z.null().describe(description)
