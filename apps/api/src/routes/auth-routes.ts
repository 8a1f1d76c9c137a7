import type { FastifyPluginAsync } from 'fastify'
import recoverPassword from './recover-password.ts'
import register from './register.ts'
import resendVerification from './resend-verification.ts'
import setPassword from './set-password.ts'
import verifyEmail from './verify-email.ts'
import verifyEmailCode from './verify-email-code.ts'

/** The JSON auth routes; app.ts registers this plugin at `/` and at `/api/v1/auth`. */
const authRoutes: FastifyPluginAsync = async (app) => {
  await app.register(register)
  await app.register(recoverPassword)
  await app.register(setPassword)
  await app.register(resendVerification)
  await app.register(verifyEmail)
  await app.register(verifyEmailCode)
}

export default authRoutes
