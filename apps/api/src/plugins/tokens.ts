import {
  createReceiptSeal,
  generateAccessKey,
  publicJwk,
  type ReceiptSeal,
  type Tokens,
  tokensFromEnv,
} from '@authmail/tokens'
import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import type { Env } from '../env.ts'

declare module 'fastify' {
  interface FastifyInstance {
    tokens: Tokens
    /** Checks the HMAC the worker puts on every receipt. */
    receiptSeal: ReceiptSeal
  }
}

/**
 * Without ACCESS_TOKEN_KEY_FILE the api still starts (a first `pnpm api`, a
 * single container) with a key of its own: its access tokens stop verifying
 * when it restarts, which costs clients one refresh, and other instances
 * refuse them. Production sets the file; `pnpm start` writes one.
 */
function accessKeys(env: Env, log: FastifyBaseLogger) {
  const previous = env.ACCESS_TOKEN_PREVIOUS_KEY_FILES.map((file) => file.key)
  if (env.ACCESS_TOKEN_KEY_FILE) return { current: env.ACCESS_TOKEN_KEY_FILE.key, previous }
  const current = generateAccessKey()
  log.warn(
    { kid: publicJwk(current).kid },
    'ACCESS_TOKEN_KEY_FILE is unset: access tokens are signed with a key made for this process only; ' +
      'they stop verifying on restart and other api instances refuse them. Set ACCESS_TOKEN_KEY_FILE ' +
      '(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out access-token-key.pem)',
  )
  return { current, previous }
}

/** Verifies link tokens minted by the worker, and signs the api's own access tokens with a key only it holds. */
export default fp(
  async (app) => {
    const { env } = app
    app.decorate('tokens', tokensFromEnv(env, app.now, accessKeys(env, app.log)))
    app.decorate('receiptSeal', createReceiptSeal(env.JWT_SECRET, env.JWT_PREVIOUS_SECRETS))
  },
  { name: 'tokens', dependencies: ['env'] },
)
