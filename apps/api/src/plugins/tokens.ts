import { createTokens, type Tokens } from '@authmail/tokens'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    tokens: Tokens
  }
}

/** Verifies link tokens minted by the worker, and signs the api's own access tokens. */
export default fp(
  async (app) => {
    const { env } = app
    app.decorate(
      'tokens',
      createTokens({
        secret: env.JWT_SECRET,
        previousSecrets: env.JWT_PREVIOUS_SECRETS,
        issuer: env.PUBLIC_BASE_URL,
        ttl: {
          set_password: env.SET_PASSWORD_TTL,
          verify_email: env.VERIFY_EMAIL_TTL,
          reset_password: env.RESET_PASSWORD_TTL,
          access: env.ACCESS_TOKEN_TTL,
        },
        now: app.now,
      }),
    )
  },
  { name: 'tokens', dependencies: ['env'] },
)
