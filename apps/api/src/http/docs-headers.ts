import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The OpenAPI UI under the pages' rules (DESIGN §7): swagger-ui's scripts,
 * styles and images come from /docs/static (self), it fetches the spec from
 * self, and nothing may frame it. Its own default CSP allows framing by self
 * and styles from any https origin.
 */
const DOCS_CSP = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  // The one <style> element swagger-ui's bundle inserts (@fastify/swagger-ui 6.1); the browser
  // test in docs-page.test.ts names a new hash if an upgrade changes it.
  'style-src': ["'self'", "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
}

async function docsHeaders(_request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-frame-options', 'DENY')
  reply.header('referrer-policy', 'no-referrer')
  reply.header('x-content-type-options', 'nosniff')
}

/** Spread into @fastify/swagger-ui's options. */
export const docsSecurity = { staticCSP: DOCS_CSP, uiHooks: { onRequest: docsHeaders } }
