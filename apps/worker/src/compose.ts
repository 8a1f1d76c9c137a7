import { LINK_PATHS, type LinkPurpose, type MailJob, type PageLinkPurpose } from '@authmail/contracts'
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
  | 'CHANGE_EMAIL_TTL'
  | 'REVERT_EMAIL_TTL'
  | 'UNVERIFIED_ACCOUNT_TTL'
> &
  Partial<
    Pick<
      WorkerEnv,
      'APP_NAME' | 'SUPPORT_EMAIL' | 'APP_URL' | 'LOGIN_CODE_TTL' | 'INVITE_TTL' | 'APP_LOGIN_URL'
    >
  >

/** Mints the job's token (if its mail carries one) and renders the mail in the job's locale. */
export function createComposer(env: ComposeEnv, tokens: Tokens, templates: Templates = builtInTemplates()) {
  const recoverUrl = `${env.PUBLIC_BASE_URL}/recover-password`
  const app = { name: env.APP_NAME ?? 'authmail', supportEmail: env.SUPPORT_EMAIL }

  const loginTtl = env.LOGIN_CODE_TTL ?? 600
  const inviteTtl = env.INVITE_TTL ?? 604_800

  /**
   * The job's token and the link carrying it: PUBLIC_BASE_URL only, the token the one query parameter.
   * `jti`: the id of the api row the link stands for (a pending change of address), if any;
   * `ttlSeconds`: a lifetime other than the purpose's (an invitation).
   */
  function mint(
    purpose: PageLinkPurpose,
    job: { userId: string; credentialVersion: number; email: string },
    { jti, ttlSeconds }: { jti?: string; ttlSeconds?: number } = {},
  ) {
    const claims = { sub: job.userId, ver: job.credentialVersion, email: job.email, jti }
    const signed = tokens.sign(purpose, claims, { ttlSeconds })
    const url = `${env.PUBLIC_BASE_URL}${LINK_PATHS[purpose]}?token=${encodeURIComponent(signed.token)}`
    return { signed, url, token: { jti: signed.jti, expiresAt: signed.expiresAt, purpose } }
  }

  return function compose(job: MailJob): ComposedMail {
    const { email, locale } = job
    switch (job.type) {
      case 'set_password': {
        const { signed, url, token } = mint('set_password', job)
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
        const { signed, url, token } = mint('verify_email', job)
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
        const { signed, url, token } = mint('reset_password', job)
        const data = { app, email, url, expiresAt: signed.expiresAt, ttlSeconds: env.RESET_PASSWORD_TTL }
        return { ...templates.render('reset_password', locale, data), token }
      }
      case 'unverified_reminder': {
        const confirm = job.linkPurpose === 'verify_email'
        const { signed, url, token } = mint(job.linkPurpose, job)
        const deleteAt = new Date(job.deleteAt)
        // Past the deletion there is nothing left to confirm, whatever the token says.
        const expiresAt = signed.expiresAt < deleteAt ? signed.expiresAt : deleteAt
        // Only a confirmation link has a code; a set-password link needs the page anyway.
        const code = confirm ? tokens.code(signed.jti) : null
        const ttlSeconds = confirm ? env.VERIFY_EMAIL_TTL : env.SET_PASSWORD_TTL
        const data = { app, email, url, expiresAt, ttlSeconds, code, deleteAt }
        return { ...templates.render('unverified_reminder', locale, data), token }
      }
      case 'email_change': {
        // The token names the pending change (its jti), not the new address: the api looks that up.
        const { signed, url, token } = mint('change_email', job, { jti: job.changeId })
        const data = { app, email, url, expiresAt: signed.expiresAt, ttlSeconds: env.CHANGE_EMAIL_TTL }
        return {
          ...templates.render('email_change', locale, { ...data, code: tokens.code(job.changeId) }),
          token,
        }
      }
      case 'email_changed': {
        // The revert restores the address its change row recorded.
        const { signed, url, token } = mint('revert_email', job, { jti: job.revertId })
        const data = { app, email, url, expiresAt: signed.expiresAt, ttlSeconds: env.REVERT_EMAIL_TTL }
        return { ...templates.render('email_changed', locale, { ...data, newEmail: job.newEmail }), token }
      }
      case 'email_change_taken':
        return {
          ...templates.render('email_change_taken', locale, {
            app,
            email,
            recoverUrl,
            resetTtlSeconds: env.RESET_PASSWORD_TTL,
          }),
          token: null,
        }
      case 'login_code': {
        const claims = { sub: job.userId, ver: job.credentialVersion, email: job.email }
        const signed = tokens.sign('login_email', claims, { ttlSeconds: loginTtl })
        const token = { jti: signed.jti, expiresAt: signed.expiresAt, purpose: 'login_email' as const }
        // The product's own page takes the token and posts it (a GET of the link changes nothing).
        const url = env.APP_LOGIN_URL ? withToken(env.APP_LOGIN_URL, signed.token) : null
        const code = tokens.code(signed.jti)
        const data = { app, email, code, url, expiresAt: signed.expiresAt, ttlSeconds: loginTtl }
        return { ...templates.render('login_code', locale, data), token }
      }
      case 'invitation': {
        // A set-password link like registration's, on the same page, lasting INVITE_TTL.
        const { signed, url, token } = mint('set_password', job, { ttlSeconds: inviteTtl })
        const data = { app, email, url, expiresAt: signed.expiresAt, ttlSeconds: inviteTtl }
        return { ...templates.render('invitation', locale, data), token }
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

/** APP_LOGIN_URL with the token added to whatever query it already has. */
function withToken(base: string, token: string): string {
  const url = new URL(base)
  url.searchParams.set('token', token)
  return url.href
}
