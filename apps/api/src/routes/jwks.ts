import type { FastifyPluginAsync } from 'fastify'

/**
 * The public keys of access tokens (RFC 7517), current first, so a product's
 * backend verifies them without any secret. Cached for five minutes: during a
 * rotation the new key is published before it signs (docs/keys.md).
 */
const jwks: FastifyPluginAsync = async (app) => {
  const { tokens } = app
  app.get(
    '/.well-known/jwks.json',
    // Hidden like /healthz: a fixed document with no input, described in docs/keys.md.
    { schema: { hide: true } },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(tokens.jwks()),
  )
}

export default jwks
