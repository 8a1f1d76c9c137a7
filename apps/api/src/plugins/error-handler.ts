import type { FastifyError } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { isDatabaseUnavailable } from '../db/unavailable.ts'
import { AppError, type ErrorCode } from '../errors.ts'
import { renderErrorPage } from '../pages/error-page.ts'
import { wantsPage } from '../pages/render.ts'

/** Fastify's own client errors, in the project's codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_JSON',
}

/** A framework or plugin error without a code of ours, by its status. Only schema validation is a 422. */
const BY_STATUS: Record<number, ErrorCode> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
}

/** Turns whatever a route throws into the one envelope of DESIGN §6; 5xx never show internals. */
export function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0]
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || undefined
    return new AppError('VALIDATION_ERROR', {
      field,
      message: first?.message ?? undefined,
      details: {
        issues: error.validation.map((v) => ({ field: v.instancePath.slice(1), message: v.message })),
      },
    })
  }
  const code = 'code' in error && typeof error.code === 'string' ? FASTIFY_CODES[error.code] : undefined
  if (code) return new AppError(code)
  if (error instanceof SyntaxError && 'statusCode' in error && error.statusCode === 400) {
    return new AppError('MALFORMED_JSON')
  }
  if (isDatabaseUnavailable(error)) return new AppError('SERVICE_UNAVAILABLE')
  const status = 'statusCode' in error ? Number(error.statusCode) : 500
  // Any other client error keeps its status class but never the framework's own words.
  const byStatus = BY_STATUS[status]
  if (byStatus) return new AppError(byStatus)
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST')
  return new AppError('INTERNAL')
}

export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const appError = toAppError(error)
      // The database being away is an outage, logged once per request without a stack: not a bug.
      if (appError.code === 'SERVICE_UNAVAILABLE')
        request.log.warn({ reason: error.message }, 'database unavailable')
      else if (appError.statusCode >= 500) request.log.error({ err: error }, 'request failed')
      else request.log.info({ code: appError.code }, appError.message)
      if (appError.code === 'SERVICE_UNAVAILABLE') reply.header('retry-after', '5')
      // A form post from one of our pages gets its page back with the message, never JSON.
      if (wantsPage(request)) return renderErrorPage(request, reply, appError)
      return reply.code(appError.statusCode).send(appError.toEnvelope())
    })
    app.setNotFoundHandler((request, reply) => {
      const error = new AppError('NOT_FOUND', {
        message: `No route ${request.method} ${request.url.split('?')[0]}`,
      })
      return reply.code(404).send(error.toEnvelope())
    })
  },
  { name: 'error-handler' },
)
