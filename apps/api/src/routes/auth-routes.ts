import type { FastifyPluginAsync } from 'fastify'
import bounceWebhook from './bounce-webhook.ts'
import changeEmail from './change-email.ts'
import login from './login.ts'
import loginCode from './login-code.ts'
import loginEmail from './login-email.ts'
import logout from './logout.ts'
import me from './me.ts'
import meDelete from './me-delete.ts'
import meEmail from './me-email.ts'
import meEmailCode from './me-email-code.ts'
import meExport from './me-export.ts'
import mePassword from './me-password.ts'
import meSessions from './me-sessions.ts'
import recoverPassword from './recover-password.ts'
import register from './register.ts'
import resendVerification from './resend-verification.ts'
import revertEmail from './revert-email.ts'
import setPassword from './set-password.ts'
import suppressionsAdmin from './suppressions-admin.ts'
import tokenRefresh from './token-refresh.ts'
import usersAdmin from './users-admin.ts'
import usersAdminMails from './users-admin-mails.ts'
import verifyEmail from './verify-email.ts'
import verifyEmailCode from './verify-email-code.ts'

/** The JSON auth routes; app.ts registers this plugin at `/` and at `/api/v1/auth`. */
const authRoutes: FastifyPluginAsync = async (app) => {
  // Login, refresh, a password change and the 403 with a verification_token carry tokens; no JSON
  // answer of these routes is worth caching, so none is kept by a browser, a proxy or a CDN.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
  })
  await app.register(register)
  await app.register(recoverPassword)
  await app.register(setPassword)
  await app.register(resendVerification)
  await app.register(verifyEmail)
  await app.register(verifyEmailCode)
  await app.register(login)
  await app.register(loginEmail)
  await app.register(loginCode)
  await app.register(tokenRefresh)
  await app.register(logout)
  await app.register(me)
  await app.register(mePassword)
  await app.register(meEmail)
  await app.register(meEmailCode)
  await app.register(changeEmail)
  await app.register(revertEmail)
  await app.register(meSessions)
  await app.register(meDelete)
  await app.register(meExport)
  await app.register(usersAdmin)
  await app.register(suppressionsAdmin)
  await app.register(bounceWebhook)
  await app.register(usersAdminMails)
}

export default authRoutes
