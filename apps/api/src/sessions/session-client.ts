import type { FastifyRequest } from 'fastify'
import type { SessionClient } from './refresh-tokens-repository.ts'

/** A User-Agent is free text of any length; what a person needs to recognise a device fits in this. */
const MAX_USER_AGENT = 512

/**
 * The client a session starts from, as the owner will see it in
 * GET /me/sessions. `request.ip` honours TRUST_PROXY, so behind a proxy it is
 * the client's address, not the proxy's.
 */
export function sessionClient(request: FastifyRequest): SessionClient {
  const agent = request.headers['user-agent']
  return { userAgent: agent ? agent.slice(0, MAX_USER_AGENT) : null, ip: request.ip || null }
}
