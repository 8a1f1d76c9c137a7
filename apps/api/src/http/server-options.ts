import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Env } from '../env.ts'

/** A client's X-Request-Id is kept only when it is short and made of characters safe in logs and headers. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Takes the caller's X-Request-Id (a proxy's or a client's, so one id follows
 * a request across systems) when it is safe, and makes a new one otherwise:
 * an id ends up in logs and outbox rows, where a long or odd value could
 * forge log lines or bloat rows.
 */
export function requestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id']
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID()
}

/** A hop count as the function Fastify builds from it at run time (its types accept no number). */
function trustProxy(setting: Env['TRUST_PROXY']) {
  if (typeof setting !== 'number') return setting
  return (_address: string, hop: number) => hop < setting
}

/**
 * Link tokens travel in paths (`/verify-email/:token`), and a JWT is longer than
 * the router's default limit of 100 characters per parameter.
 */
export const MAX_PARAM_LENGTH = 4096

/**
 * The Fastify options server.ts, the tests and the OpenAPI lint share: request ids,
 * which proxies to believe, and a router that takes link tokens in paths.
 */
export function serverOptions(env: Env) {
  return {
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // false: Fastify would take the header unchecked; genReqId checks it instead.
    requestIdHeader: false as const,
    genReqId: requestId,
    trustProxy: trustProxy(env.TRUST_PROXY),
    // Opening PGlite compiles WebAssembly and may run initdb: slower than Fastify's 10 s default on a busy machine.
    pluginTimeout: 60_000,
  }
}
