import type { FastifyPluginAsync } from 'fastify'
import recoverPassword from './recover-password.ts'
import register from './register.ts'
import setPassword from './set-password.ts'

/** The JSON auth routes; app.ts registers this plugin at `/` and at `/api/v1/auth`. */
const authRoutes: FastifyPluginAsync = async (app) => {
  await app.register(register)
  await app.register(recoverPassword)
  await app.register(setPassword)
}

export default authRoutes
