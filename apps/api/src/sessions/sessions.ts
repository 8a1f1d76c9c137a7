import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Tokens } from '@authmail/tokens'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Db, Queryable } from '../db/driver.ts'
import { events } from '../events/events.ts'
import type { User } from '../users/users-repository.ts'
import { createRefreshTokens, type SessionClient } from './refresh-tokens-repository.ts'
import { sessionClient } from './session-client.ts'

/** What login, refresh and a password change answer with. */
export interface TokenPair {
  access_token: string
  refresh_token: string
  token_type: 'Bearer'
  expires_in: number
}

export type Refresh =
  | { ok: true; pair: TokenPair }
  | { ok: false; reason: 'invalid' | 'ended' | 'reused' | 'unverified' }

/** Only the hash is stored: a leaked table cannot be replayed as sessions. */
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Sessions: an access JWT plus an opaque refresh token. Each login starts a
 * family; every refresh marks the presented token used and issues the next
 * one of the family. A used token presented again means two parties hold it
 * (one of them stole it), so the whole family is revoked.
 */
export function createSessions(deps: {
  tokens: Tokens
  accessTtl: number
  refreshTtl: number
  /** SESSION_MAX_AGE: how long a login lasts at most, however often it is refreshed. */
  maxAge: number
  now: () => number
}) {
  const { tokens, accessTtl, refreshTtl, maxAge } = deps
  const refreshTokens = createRefreshTokens(deps.now)

  async function issue(
    q: Queryable,
    user: User,
    session: { familyId: string; startedAt: Date; client: SessionClient },
  ): Promise<TokenPair> {
    const refresh = randomBytes(32).toString('base64url')
    await refreshTokens.insert(q, {
      userId: user.id,
      familyId: session.familyId,
      hash: hashOf(refresh),
      ttlSeconds: refreshTtl,
      startedAt: session.startedAt,
      maxAgeSeconds: maxAge,
      client: session.client,
    })
    // `sid` names the session, so GET /me/sessions can tell which one is asking.
    const access = tokens.sign('access', {
      sub: user.id,
      ver: user.credential_version,
      role: user.role,
      sid: session.familyId,
    })
    return { access_token: access.token, refresh_token: refresh, token_type: 'Bearer', expires_in: accessTtl }
  }

  return {
    /** A new session (a new family) for a user who just proved their password, from `client`. */
    start: (q: Queryable, user: User, client: SessionClient) =>
      issue(q, user, { familyId: randomUUID(), startedAt: new Date(deps.now()), client }),

    /**
     * A new session from a credential, from the request's client, announced as
     * `user.signed_in` in the same transaction (a refresh continues a session and
     * announces nothing). The caller kicks the relay after the commit.
     */
    async signIn(
      q: Queryable,
      user: User,
      request: FastifyRequest,
      method: 'password' | 'email_code' | 'email_link',
    ): Promise<TokenPair> {
      const pair = await issue(q, user, {
        familyId: randomUUID(),
        startedAt: new Date(deps.now()),
        client: sessionClient(request),
      })
      const signedIn = { type: 'user.signed_in', userId: user.id, data: { method } } as const
      await events.record(q, signedIn, { requestId: request.id })
      return pair
    },

    /**
     * Trades a refresh token for the next pair of its family, in one
     * transaction with the family's rows locked: a revocation (logout, a
     * password change) either lands first and the token is refused, or waits
     * and also revokes the token issued here. A refusal is returned, not
     * thrown, so a detected reuse commits the family's revocation.
     */
    async refresh(db: Db, token: string, loadUser: (q: Queryable, id: string) => Promise<User | null>) {
      return db.transaction(async (tx): Promise<Refresh> => {
        const hash = hashOf(token)
        const found = await refreshTokens.lockFamilyOf(tx, hash)
        if (!found) return { ok: false, reason: 'invalid' }
        const used = await refreshTokens.use(tx, hash)
        if (!used) {
          if (found.used_at === null) return { ok: false, reason: 'ended' }
          await refreshTokens.revokeFamily(tx, found.family_id)
          return { ok: false, reason: 'reused' }
        }
        const user = await loadUser(tx, used.user_id)
        // Deleting a user deletes its tokens, so a missing user means a race with that delete.
        if (!user) return { ok: false, reason: 'ended' }
        if (!user.email_verified_at) return { ok: false, reason: 'unverified' }
        const session = { familyId: used.family_id, startedAt: used.session_started_at, client: used.client }
        return { ok: true, pair: await issue(tx, user, session) }
      })
    },

    /**
     * Ends the session (the family) a refresh token belongs to; unknown tokens
     * are ignored. Returns the user only if the token was still live, so an
     * old, leaked token cannot be used to act on the account.
     */
    async end(q: Queryable, token: string): Promise<string | null> {
      const found = await refreshTokens.find(q, hashOf(token))
      if (!found) return null
      await refreshTokens.revokeFamily(q, found.family_id)
      return found.live ? found.user_id : null
    },

    /** Ends every session of a user (sign out everywhere). */
    endAll: refreshTokens.revokeAllOf,

    /** The user's live sessions, most recently refreshed first. */
    list: refreshTokens.listLive,

    /** Ends one session of the user; false when the user has no live session of that id. */
    endOne: refreshTokens.revokeLiveFamilyOf,

    /** Deletes every refresh token of a user (the account is being deleted). */
    forgetAllOf: refreshTokens.deleteOfUser,

    /** Drops refresh tokens past their expiry (the cleanup's job). */
    pruneExpired: refreshTokens.deleteExpired,
  }
}

export type Sessions = ReturnType<typeof createSessions>

declare module 'fastify' {
  interface FastifyInstance {
    sessions: Sessions
  }
}

export default fp(
  async (app) => {
    const { tokens, env, now } = app
    app.decorate(
      'sessions',
      createSessions({
        tokens,
        accessTtl: env.ACCESS_TOKEN_TTL,
        refreshTtl: env.REFRESH_TOKEN_TTL,
        maxAge: env.SESSION_MAX_AGE,
        now,
      }),
    )
  },
  { name: 'sessions', dependencies: ['env', 'tokens'] },
)
