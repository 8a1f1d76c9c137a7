import type { Locale } from '@authmail/contracts'
import { escapeHtml } from './format.ts'

/** One rendered mail: what every template returns and the mailer sends. */
export interface RenderedMail {
  subject: string
  html: string
  text: string
}

/** The parts every mail is made of; each template fills them in its own words. */
export interface MailParts {
  locale: Locale
  subject: string
  heading: string
  /** Plain sentences; escaped for HTML here. */
  paragraphs: string[]
  action?: { label: string; url: string }
  /** The 6-digit verification code, shown large. */
  code?: { label: string; value: string }
  /** Smaller print under the action: expiry, "ignore this if it was not you". */
  notes: string[]
  /** Said before the bare URL in the text part and under the button in HTML. */
  fallbackLabel?: string
}

const FONT = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif'
const P = `margin:0 0 16px;font-size:15px;line-height:1.5;color:#1f2933;${FONT}`
const SMALL = `margin:0 0 12px;font-size:13px;line-height:1.5;color:#52606d;${FONT}`

/**
 * Inline styles and tables only, no remote images or fonts: mail clients strip
 * <style> blocks and remote content is blocked or leaks that the mail was read.
 */
function html(parts: MailParts): string {
  const e = escapeHtml
  const button = parts.action
    ? `<p style="margin:24px 0"><a href="${e(parts.action.url)}" style="display:inline-block;padding:12px 24px;background:#2457c5;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600;${FONT}">${e(parts.action.label)}</a></p>
<p style="${SMALL}">${e(parts.fallbackLabel ?? '')}<br><a href="${e(parts.action.url)}" style="color:#2457c5;word-break:break-all">${e(parts.action.url)}</a></p>`
    : ''
  const code = parts.code
    ? `<p style="${P}">${e(parts.code.label)}</p>
<p style="margin:0 0 24px;font-size:28px;letter-spacing:6px;font-weight:700;color:#1f2933;font-family:Menlo,Consolas,monospace">${e(parts.code.value)}</p>`
    : ''
  return `<!doctype html>
<html lang="${parts.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(parts.subject)}</title></head>
<body style="margin:0;padding:0;background:#f5f7fa">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f7fa"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px"><tr><td style="padding:32px">
<h1 style="margin:0 0 20px;font-size:22px;color:#1f2933;${FONT}">${e(parts.heading)}</h1>
${parts.paragraphs.map((p) => `<p style="${P}">${e(p)}</p>`).join('\n')}
${button}
${code}
${parts.notes.map((n) => `<p style="${SMALL}">${e(n)}</p>`).join('\n')}
</td></tr></table>
</td></tr></table>
</body>
</html>
`
}

function text(parts: MailParts): string {
  const blocks = [parts.heading, ...parts.paragraphs]
  if (parts.action) blocks.push(`${parts.fallbackLabel ?? parts.action.label}\n${parts.action.url}`)
  if (parts.code) blocks.push(`${parts.code.label} ${parts.code.value}`)
  blocks.push(...parts.notes)
  return `${blocks.join('\n\n')}\n`
}

export function renderParts(parts: MailParts): RenderedMail {
  return { subject: parts.subject, html: html(parts), text: text(parts) }
}
