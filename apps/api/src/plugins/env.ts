import fp from 'fastify-plugin'
import type { Env } from '../env.ts'

declare module 'fastify' {
  interface FastifyInstance {
    env: Env
    /** Milliseconds since the epoch; tests pass a clock they can move. */
    now: () => number
  }
}

export default fp<{ env: Env; now?: () => number }>(
  async (app, { env, now }) => {
    app.decorate('env', env)
    app.decorate('now', now ?? Date.now)
  },
  { name: 'env' },
)
