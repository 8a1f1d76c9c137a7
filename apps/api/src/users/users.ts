import fp from 'fastify-plugin'
import { createRefreshTokens } from '../sessions/refresh-tokens-repository.ts'
import { createUsers, type Users } from './users-repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    users: Users
  }
}

/** The accounts service; a password change revokes sessions on the app clock, like every session change. */
export default fp(
  async (app) => {
    app.decorate('users', createUsers({ refreshTokens: createRefreshTokens(app.now) }))
  },
  { name: 'users', dependencies: ['env'] },
)
