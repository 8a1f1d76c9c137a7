import fp from 'fastify-plugin'
import { hashPassword } from '../passwords/passwords.ts'
import { normalizeEmail } from './email.ts'

/**
 * At start, creates the admin from ADMIN_EMAIL / ADMIN_PASSWORD, already
 * confirmed, if no account has that address. An existing account is left
 * exactly as it is, so a restart (or a changed ADMIN_PASSWORD) never resets a
 * password the admin has since changed, and an ordinary account that happens
 * to have the address is not silently promoted.
 */
export default fp(
  async (app) => {
    const { db, users, env } = app
    const log = app.log.child({ component: 'admin-bootstrap' })
    const { ADMIN_PASSWORD: password } = env
    const email = env.ADMIN_EMAIL && normalizeEmail(env.ADMIN_EMAIL)
    if (!email && !password) return
    if (!email || !password) {
      log.warn('set both ADMIN_EMAIL and ADMIN_PASSWORD to create the first admin; no admin was created')
      return
    }
    const existing = await users.findByEmail(db, email)
    if (existing) {
      if (existing.role !== 'admin')
        log.warn({ email }, 'ADMIN_EMAIL belongs to an existing non-admin account; left as is')
      return
    }
    const created = await users.insert(db, {
      email,
      passwordHash: await hashPassword(password),
      locale: env.DEFAULT_LOCALE,
      role: 'admin',
      verified: true,
    })
    // null: another instance starting at the same moment created it first.
    if (created) log.info({ email }, 'admin account created')
  },
  { name: 'admin-bootstrap', dependencies: ['env', 'db', 'users'] },
)
