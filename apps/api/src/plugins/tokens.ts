import { type Tokens, tokensFromEnv } from '@authmail/tokens'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    tokens: Tokens
  }
}

/** Verifies link tokens minted by the worker, and signs the api's own access tokens. */
export default fp(
  async (app) => {
    app.decorate('tokens', tokensFromEnv(app.env, app.now))
  },
  { name: 'tokens', dependencies: ['env'] },
)
