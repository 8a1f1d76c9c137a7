import { LINK_PATHS, LocaleSchema, type PageLinkPurpose } from '@authmail/contracts'
import { loadTemplates, MAIL_KINDS, type MailKind, SAMPLES } from '@authmail/emails'
import { sampleLinkToken } from '@authmail/tokens'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

const ParamsSchema = z.object({ kind: z.enum(MAIL_KINDS as [MailKind, ...MailKind[]]) })
const QuerySchema = z.object({
  locale: LocaleSchema.optional(),
  part: z.enum(['html', 'text']).default('html'),
})

/**
 * GET /admin/mail-preview/:kind: a mail as the worker renders it, with sample
 * data, so whoever edits a template (TEMPLATES_DIR) sees the result without
 * sending anything. Admins only.
 */
/**
 * The link a kind's first sample carries: the page a real mail of that kind
 * opens, with a token of the real format and length (which verifies nowhere),
 * so the preview shows the mail as a reader sees it.
 */
function sampleLink(base: string, kind: MailKind): string | null {
  const purpose = SAMPLE_LINK_PURPOSE[kind]
  return purpose ? `${base}${LINK_PATHS[purpose]}?token=${sampleLinkToken(purpose)}` : null
}

/**
 * The api page each kind's sample links to. The first reminder sample has a code: a
 * confirmation link. A sign-in code links to the product's own page (APP_LOGIN_URL):
 * its sample keeps the sample's address.
 */
const SAMPLE_LINK_PURPOSE: Partial<Record<MailKind, PageLinkPurpose>> = {
  set_password: 'set_password',
  verify_email: 'verify_email',
  reset_password: 'reset_password',
  unverified_reminder: 'verify_email',
  email_change: 'change_email',
  email_changed: 'revert_email',
  invitation: 'set_password',
}

const mailPreview: FastifyPluginAsyncZod = async (app) => {
  const { env, authenticate, requireAdmin } = app
  // Compiled and checked once, as the worker does: a broken override stops the api's start too.
  const templates = loadTemplates(env.TEMPLATES_DIR)
  const appInfo = { name: env.APP_NAME, supportEmail: env.SUPPORT_EMAIL }

  app.get(
    '/admin/mail-preview/:kind',
    {
      preHandler: [authenticate, requireAdmin],
      schema: { params: ParamsSchema, querystring: QuerySchema, summary: 'Preview a mail with sample data' },
    },
    async (request, reply) => {
      const { kind } = request.params
      const { locale = env.DEFAULT_LOCALE, part } = request.query
      const [sample] = SAMPLES[kind]
      const base = env.PUBLIC_BASE_URL
      const mail = templates.render(kind, locale, {
        ...sample,
        app: appInfo,
        ...('url' in (sample ?? {}) && SAMPLE_LINK_PURPOSE[kind] ? { url: sampleLink(base, kind) } : {}),
        ...('recoverUrl' in (sample ?? {}) ? { recoverUrl: `${base}/recover-password` } : {}),
      } as NonNullable<typeof sample>)
      reply
        .header('cache-control', 'no-store')
        .header('x-mail-subject', encodeURIComponent(mail.subject))
        // The mail's inline styles and nothing else: no script, no remote content, not framed.
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        )
      if (part === 'text') return reply.type('text/plain; charset=utf-8').send(mail.text)
      return reply.type('text/html; charset=utf-8').send(mail.html)
    },
  )
}

export default mailPreview
