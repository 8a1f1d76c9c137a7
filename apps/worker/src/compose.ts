import type { LinkPurpose, MailJob } from '@authmail/contracts'
import { builtInTemplates, type RenderedMail, type Templates } from '@authmail/emails'
import type { SignedToken, Tokens } from '@authmail/tokens'
import type { WorkerEnv } from './env.ts'

export interface ComposedMail extends RenderedMail {
  /** The link token the mail carries: its id and expiry go into the receipt. */
  token: (Pick<SignedToken, 'jti' | 'expiresAt'> & { purpose: LinkPurpose }) | null
}

type ComposeEnv = Pick<
  WorkerEnv,
  | 'PUBLIC_BASE_URL'
  | 'VERIFY_EMAIL_TTL'
  | 'SET_PASSWORD_TTL'
  | 'RESET_PASSWORD_TTL'
  | 'UNVERIFIED_ACCOUNT_TTL'
> &
  Partial<Pick<WorkerEnv, 'APP_NAME' | 'SUPPORT_EMAIL' | 'APP_URL'>>

/** Mints the job's token (if its mail carries one) and renders the mail in the job's locale. */
export function createComposer(env: ComposeEnv, tokens: Tokens, templates: Templates = builtInTemplates()) {
  // Links are built from PUBLIC_BASE_URL only; the token is the one query parameter.
  const link = (path: string, token: string) =>
    `${env.PUBLIC_BASE_URL}${path}?token=${encodeURIComponent(token)}`
  const recoverUrl = `${env.PUBLIC_BASE_URL}/recover-password`
  const app = { name: env.APP_NAME ?? 'authmail', supportEmail: env.SUPPORT_EMAIL }

  function mint(purpose: LinkPurpose, job: { userId: string; credentialVersion: number; email: string }) {
    const signed = tokens.sign(purpose, { sub: job.userId, ver: job.credentialVersion, email: job.email })
    return { signed, token: { jti: signed.jti, expiresAt: signed.expiresAt, purpose } }
  }

  return function compose(job: MailJob): ComposedMail {
    const { email, locale } = job
    switch (job.type) {
      case 'set_password': {
        const { signed, token } = mint('set_password', job)
        const url = link('/set-password', signed.token)
        const data = { app, email, url, expiresAt: signed.expiresAt, ttlSeconds: env.SET_PASSWORD_TTL }
        return {
          ...templates.render('set_password', locale, {
            ...data,
            accountTtlSeconds: env.UNVERIFIED_ACCOUNT_TTL,
          }),
          token,
        }
      }
      case 'verify_email': {
        const { signed, token } = mint('verify_email', job)
        const url = link('/verify-email', signed.token)
        const data = { app, email, url, expiresAt: signed.expiresAt, ttlSeconds: env.VERIFY_EMAIL_TTL }
        const code = tokens.code(signed.jti)
        return {
          ...templates.render('verify_email', locale, {
            ...data,
            code,
            accountTtlSeconds: env.UNVERIFIED_ACCOUNT_TTL,
          }),
          token,
        }
      }
      case 'reset_password': {
        // The api's set-password page takes reset tokens too.
        const { signed, token } = mint('reset_password', job)
        const url = link('/set-password', signed.token)
        const data = { app, email, url, expiresAt: signed.expiresAt, ttlSeconds: env.RESET_PASSWORD_TTL }
        return { ...templates.render('reset_password', locale, data), token }
      }
      case 'unverified_reminder': {
        const confirm = job.linkPurpose === 'verify_email'
        const { signed, token } = mint(job.linkPurpose, job)
        const deleteAt = new Date(job.deleteAt)
        // Past the deletion there is nothing left to confirm, whatever the token says.
        const expiresAt = signed.expiresAt < deleteAt ? signed.expiresAt : deleteAt
        const url = link(confirm ? '/verify-email' : '/set-password', signed.token)
        // Only a confirmation link has a code; a set-password link needs the page anyway.
        const code = confirm ? tokens.code(signed.jti) : null
        const ttlSeconds = confirm ? env.VERIFY_EMAIL_TTL : env.SET_PASSWORD_TTL
        const data = { app, email, url, expiresAt, ttlSeconds, code, deleteAt }
        return { ...templates.render('unverified_reminder', locale, data), token }
      }
      case 'account_exists':
        return {
          ...templates.render('account_exists', locale, {
            app,
            email,
            recoverUrl,
            resetTtlSeconds: env.RESET_PASSWORD_TTL,
          }),
          token: null,
        }
      case 'no_account':
        return { ...templates.render('no_account', locale, { app, email }), token: null }
      case 'password_changed':
        return {
          ...templates.render('password_changed', locale, {
            app,
            email,
            recoverUrl,
            resetTtlSeconds: env.RESET_PASSWORD_TTL,
          }),
          token: null,
        }
      case 'account_deleted':
        return {
          ...templates.render('account_deleted', locale, { app, email, appUrl: env.APP_URL ?? null }),
          token: null,
        }
    }
  }
}

export type Compose = ReturnType<typeof createComposer>
