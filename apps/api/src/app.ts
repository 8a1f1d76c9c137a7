import { join } from 'node:path'
import formbody from '@fastify/formbody'
import view from '@fastify/view'
import ejs from 'ejs'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import accountData from './account-data/account-data.ts'
import cooldowns from './cooldowns/cooldowns.ts'
import type { Db } from './db/driver.ts'
import deliveries from './deliveries/deliveries.ts'
import receipts from './deliveries/receipts.ts'
import emailChange from './email-change/email-change.ts'
import type { Env } from './env.ts'
import loginThrottle from './login-throttle/login-throttle.ts'
import mailBudget from './mail-budget/mail-budget.ts'
import mailPreview from './mail-preview/mail-preview.ts'
import { registerOpenapi } from './openapi/openapi.ts'
import outbox from './outbox/outbox.ts'
import { registerPageHeaders } from './pages/render.ts'
import brokerPlugin from './plugins/broker.ts'
import db from './plugins/db.ts'
import envPlugin from './plugins/env.ts'
import errorHandler from './plugins/error-handler.ts'
import httpMetrics from './plugins/http-metrics.ts'
import { registerRateLimit } from './plugins/rate-limit.ts'
import tokens from './plugins/tokens.ts'
import retention from './retention/retention.ts'
import assets from './routes/assets.ts'
import authRoutes from './routes/auth-routes.ts'
import changeEmailPage from './routes/change-email-page.ts'
import health from './routes/health.ts'
import jwks from './routes/jwks.ts'
import recoverPasswordPage from './routes/recover-password-page.ts'
import revertEmailPage from './routes/revert-email-page.ts'
import setPasswordPage from './routes/set-password-page.ts'
import verifyEmailPage from './routes/verify-email-page.ts'
import auth from './sessions/auth.ts'
import sessions from './sessions/sessions.ts'
import suppressions from './suppressions/suppressions.ts'
import adminBootstrap from './users/admin-bootstrap.ts'
import unverifiedCleanup from './users/unverified-cleanup.ts'
import users from './users/users.ts'

export interface AppOptions {
  env: Env
  /** A clock tests can move; defaults to Date.now. */
  now?: () => number
  /** An open database to use instead of the one `env` names (tests pass a PGlite cloned from a template). */
  db?: Db
}

/**
 * Server options the app needs from whoever builds the server (server.ts, tests):
 * link tokens travel in paths (`/verify-email/:token`) and a JWT is longer than
 * the router's default limit of 100 characters per parameter.
 */
export const serverOptions = { routerOptions: { maxParamLength: 4096 } } as const

/** The api as one plugin: external plugins, then services, then routes (STYLE "Fastify app shape"). */
const app: FastifyPluginAsync<AppOptions> = async (fastify, options) => {
  if (
    (fastify.initialConfig.routerOptions?.maxParamLength ?? 100) < serverOptions.routerOptions.maxParamLength
  ) {
    throw new Error("build the server with the api's serverOptions (maxParamLength) from app.ts")
  }
  // The limit belongs to the app, not to whoever builds the server: 413 for every route.
  fastify.addHook('onRoute', (route) => {
    route.bodyLimit ??= options.env.BODY_LIMIT_BYTES
  })
  fastify.setValidatorCompiler(validatorCompiler)
  fastify.setSerializerCompiler(serializerCompiler)

  await fastify.register(errorHandler)
  await fastify.register(httpMetrics)
  await fastify.register(formbody, { bodyLimit: options.env.BODY_LIMIT_BYTES })
  await fastify.register(view, {
    engine: { ejs },
    root: join(import.meta.dirname, 'views'),
    layout: 'layout.ejs',
  })
  await registerPageHeaders(fastify)
  await registerRateLimit(fastify, options.env)
  await registerOpenapi(fastify)

  await fastify.register(envPlugin, { env: options.env, now: options.now })
  await fastify.register(db, { db: options.db })
  await fastify.register(brokerPlugin)
  await fastify.register(tokens)
  await fastify.register(users)
  await fastify.register(auth)
  await fastify.register(cooldowns)
  await fastify.register(mailBudget)
  await fastify.register(suppressions)
  await fastify.register(outbox)
  await fastify.register(deliveries)
  await fastify.register(receipts)
  await fastify.register(sessions)
  await fastify.register(loginThrottle)
  await fastify.register(accountData)
  await fastify.register(adminBootstrap)
  await fastify.register(unverifiedCleanup)
  await fastify.register(retention)
  await fastify.register(emailChange)

  await fastify.register(health)
  await fastify.register(jwks)
  await fastify.register(assets)
  await fastify.register(setPasswordPage)
  await fastify.register(recoverPasswordPage)
  await fastify.register(verifyEmailPage)
  await fastify.register(changeEmailPage)
  await fastify.register(revertEmailPage)
  await fastify.register(mailPreview)
  // The same JSON routes at the root (curl, forms) and where the SPA clients call them.
  await fastify.register(authRoutes)
  await fastify.register(authRoutes, { prefix: '/api/v1/auth' })
}

/** Not encapsulated, so tests (and server.ts) see the services it decorates. */
export default fp(app, { name: 'authmail-api' })
