import { TokenError } from '@authmail/tokens'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.ts'
import type { User } from '../users/users-repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: a valid access token of an account that still has the same credentials. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>
    /** preHandler like `authenticate` that also takes the limited session of an unconfirmed account. */
    authenticateUnconfirmed(request: FastifyRequest, reply: FastifyReply): Promise<void>
    /** preHandler after `authenticate`: the user must be an admin. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>
  }
  interface FastifyRequest {
    user: User | null
    /** The session (refresh-token family) of the access token in use; null for tokens without one. */
    sessionId: string | null
  }
}

/**
 * The scope of the session an unconfirmed account gets at login: enough to
 * read its own status (`GET /me`) and to enter the code from the mail.
 */
export const EMAIL_VERIFICATION_SCOPE = 'email_verification'

/**
 * Bearer access tokens (JWT, purpose `access`). A token minted before the last
 * password change carries an older `ver` and is refused, so a password change
 * ends every session at once, not only when refresh tokens run out.
 */
export default fp(
  async (app) => {
    const { tokens, users, db } = app
    app.decorateRequest('user', null)
    app.decorateRequest('sessionId', null)

    async function authenticate(
      request: FastifyRequest,
      { allowUnconfirmed }: { allowUnconfirmed: boolean },
    ) {
      const header = request.headers.authorization ?? ''
      const match = /^Bearer\s+(\S+)$/i.exec(header)
      if (!match?.[1]) throw new AppError('AUTH_UNAUTHENTICATED')
      let claims: ReturnType<typeof tokens.verify>
      try {
        claims = tokens.verify(match[1], 'access')
      } catch (error) {
        if (error instanceof TokenError) {
          throw new AppError(error.reason === 'expired' ? 'AUTH_TOKEN_EXPIRED' : 'AUTH_INVALID_TOKEN')
        }
        throw error
      }
      const user = await users.findById(db, claims.sub)
      if (!user || user.credential_version !== claims.ver) throw new AppError('AUTH_INVALID_TOKEN')
      // A limited session stays limited: once the address is confirmed, the user signs in again.
      if (claims.scope === EMAIL_VERIFICATION_SCOPE && !allowUnconfirmed) {
        throw new AppError(user.email_verified_at ? 'AUTH_SESSION_EXPIRED' : 'AUTH_EMAIL_NOT_VERIFIED')
      }
      request.user = user
      request.sessionId = claims.sid ?? null
    }

    app.decorate('authenticate', (request: FastifyRequest) =>
      authenticate(request, { allowUnconfirmed: false }),
    )
    app.decorate('authenticateUnconfirmed', (request: FastifyRequest) =>
      authenticate(request, { allowUnconfirmed: true }),
    )

    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      if (request.user?.role !== 'admin') throw new AppError('AUTH_FORBIDDEN')
    })
  },
  { name: 'auth', dependencies: ['tokens', 'users', 'db'] },
)
