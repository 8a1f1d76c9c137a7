import pino, { type LoggerOptions } from 'pino'

/**
 * Paths pino removes from every log line: secrets and tokens must never reach
 * the logs, wherever they appear in a request, a job or an error.
 */
export const redactPaths = [
  'password',
  '*.password',
  'current_password',
  '*.current_password',
  'new_password',
  '*.new_password',
  'token',
  '*.token',
  'refresh_token',
  '*.refresh_token',
  'access_token',
  '*.access_token',
  'code',
  '*.code',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
]

/** Drops the query string (it may carry a token) and a token in the path. */
export function redactUrl(url: string): string {
  const path = url.split('?')[0] ?? url
  return path
    .replace(/\/verify-email\/(?!code\b)[^/]+/, '/verify-email/[redacted]')
    .replace(/\/change-email\/[^/]+/, '/change-email/[redacted]')
    .replace(/\/login\/email\/[^/]+/, '/login/email/[redacted]')
}

export function loggerOptions(level: string, name: string): LoggerOptions {
  return {
    name,
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id?: string }) {
        return { method: req.method, url: redactUrl(req.url), id: req.id }
      },
      err: pino.stdSerializers.err,
    },
  }
}

export function createLogger(level: string, name: string) {
  return pino(loggerOptions(level, name))
}

export type Logger = pino.Logger
