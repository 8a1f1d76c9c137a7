/**
 * Every error the api returns, with its status and default message: the one
 * list a client (or the front end's message keys) can be checked against.
 */
export const ERRORS = {
  VALIDATION_ERROR: [422, 'The request is not valid'],
  BAD_REQUEST: [400, 'The request could not be understood; check its method, headers and body'],
  MALFORMED_JSON: [400, 'The request body is not valid JSON'],
  PAYLOAD_TOO_LARGE: [413, 'The request body is too large'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Send the body as application/json or a form'],
  NOT_FOUND: [404, 'Nothing here'],
  METHOD_NOT_ALLOWED: [405, 'This method is not allowed here'],
  NOT_ACCEPTABLE: [406, 'This resource cannot answer in a format the request accepts'],
  RATE_LIMITED: [429, 'Too many requests; try again later'],
  SERVICE_UNAVAILABLE: [503, 'The service is briefly unavailable; try again shortly'],
  INTERNAL: [500, 'Something went wrong on our side'],
  AUTH_INVALID_TOKEN: [401, 'This link or token is not valid'],
  AUTH_TOKEN_EXPIRED: [401, 'This link has expired'],
  AUTH_TOKEN_USED: [401, 'This link was already used or a newer one replaced it'],
  AUTH_USER_NOT_FOUND: [404, 'The account of this link no longer exists'],
  AUTH_UNAUTHENTICATED: [401, 'Sign in first: send an access token as "Authorization: Bearer …"'],
  AUTH_FORBIDDEN: [403, 'You are not allowed to do this'],
  AUTH_INVALID_CREDENTIALS: [401, 'The e-mail address or the password is wrong'],
  AUTH_EMAIL_NOT_VERIFIED: [403, 'Confirm your e-mail address first: follow the link we sent you'],
  AUTH_TOO_MANY_ATTEMPTS: [429, 'Too many failed sign-ins for this account; wait and try again'],
  AUTH_SESSION_EXPIRED: [401, 'This session has ended; sign in again'],
  AUTH_REFRESH_REUSED: [401, 'This refresh token was already used; that sign-in has been ended'],
  LAST_ADMIN: [409, 'The last admin cannot be removed or demoted'],
  AUTH_EMAIL_ALREADY_VERIFIED: [400, 'This e-mail address is already confirmed'],
  AUTH_EMAIL_RESEND_COOLDOWN: [429, 'Please wait before requesting a new verification email'],
  AUTH_INVALID_CODE: [400, 'This code is not correct'],
  AUTH_CODE_EXPIRED: [400, 'This code has expired; request a new verification email'],
  AUTH_CODE_ATTEMPTS_EXCEEDED: [429, 'Too many wrong codes; request a new verification email'],
  AUTH_EMAIL_TAKEN: [409, 'This address now belongs to another account'],
  AUTH_NO_EMAIL_CHANGE: [400, 'No change of address is waiting to be confirmed'],
  AUTH_INVALID_LOGIN_CODE: [
    401,
    'The address or the code is wrong, or the code has expired or had too many tries; request a new code',
  ],
  EMAIL_TAKEN: [409, 'An account with this e-mail address already exists'],
} as const satisfies Record<string, readonly [number, string]>

export type ErrorCode = keyof typeof ERRORS

export interface ErrorEnvelope {
  error: { code: string; message: string; field: string | null; details: Record<string, unknown> }
}

/** An error a client is meant to see, rendered in the envelope of DESIGN §6. */
export class AppError extends Error {
  readonly statusCode: number
  readonly field: string | null
  readonly details: Record<string, unknown>

  constructor(
    readonly code: ErrorCode,
    options: { message?: string; field?: string; details?: Record<string, unknown> } = {},
  ) {
    super(options.message ?? ERRORS[code][1])
    this.name = 'AppError'
    this.statusCode = ERRORS[code][0]
    this.field = options.field ?? null
    this.details = options.details ?? {}
  }

  toEnvelope(): ErrorEnvelope {
    return { error: { code: this.code, message: this.message, field: this.field, details: this.details } }
  }
}
