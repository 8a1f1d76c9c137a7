import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { httpRequestDuration, loginAttempts, rateLimited, UNMATCHED_ROUTE } from '../metrics.ts'

/** The route pattern (`/verify-email/:token`), never the URL: label values must stay few. */
export const routeLabel = (request: FastifyRequest) => request.routeOptions.url ?? UNMATCHED_ROUTE

/** What a finished `POST /login` means, by the status it answered; other statuses (422, 5xx) are not attempts. */
const LOGIN_RESULTS: Record<number, string> = {
  200: 'success',
  401: 'invalid_credentials',
  403: 'unverified',
  429: 'throttled',
}

/** An `onResponse` hook for the login route: counts the attempt by result once the answer is out. */
export async function countLoginAttempt(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const result = LOGIN_RESULTS[reply.statusCode]
  if (result) loginAttempts.inc({ result })
}

/**
 * Times every request by route, method and status, and counts every 429 by
 * route, whether @fastify/rate-limit or the app's own limits answered it.
 */
export default fp(
  async (app) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = routeLabel(request)
      const status = String(reply.statusCode)
      httpRequestDuration.observe({ route, method: request.method, status }, reply.elapsedTime / 1000)
      if (reply.statusCode === 429) rateLimited.inc({ route })
    })
  },
  { name: 'http-metrics' },
)
