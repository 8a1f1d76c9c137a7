import type { Locale } from '@authmail/contracts'
import { escapeHtml } from './format.ts'
import type { AppInfo } from './types.ts'

/** One rendered mail: what every template returns and the mailer sends. */
export interface RenderedMail {
  subject: string
  html: string
  text: string
}

/** The parts every mail is made of; each template fills them in its own words. */
export interface MailParts {
  locale: Locale
  app: AppInfo
  subject: string
  /** The line inbox lists show after the subject; hidden in the body. */
  preview: string
  heading: string
  /** Plain sentences; escaped for HTML here. */
  paragraphs: string[]
  /**
   * The one thing to do. `label` is the button; `intro` says what the bare URL
   * does in the text part, which has no button.
   */
  action?: { label: string; url: string; intro: string }
  /** The 6-digit verification code, shown large, before the fallback link. */
  code?: { label: string; value: string }
  /** Said under the code, before the bare URL, in the HTML part. */
  fallbackLabel?: string
  /** Smaller print: expiry, "ignore this if it was not you". */
  notes: string[]
  /** Why this mail came, in the footer. */
  reason: string
  /** "Questions? Write to {email}." – shown when SUPPORT_EMAIL is set. */
  support: string
}

const FONT = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif'
const P = `margin:0 0 16px;font-size:15px;line-height:1.5;color:#1f2933;${FONT}`
const SMALL = `margin:0 0 12px;font-size:13px;line-height:1.5;color:#52606d;${FONT}`

/**
 * The button as a table cell with a background colour: Outlook on Windows
 * (Word's renderer) ignores padding on links but honours it on cells.
 */
function button(label: string, url: string): string {
  const e = escapeHtml
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0"><tr>
<td align="center" bgcolor="#2457c5" style="border-radius:6px;padding:12px 24px"><a href="${e(url)}" style="color:#ffffff;text-decoration:none;font-size:15px;font-weight:600;display:inline-block;${FONT}">${e(label)}</a></td>
</tr></table>`
}

/**
 * Inline styles and tables only, no remote images or fonts: mail clients strip
 * <style> blocks and remote content is blocked or leaks that the mail was read.
 */
function html(parts: MailParts): string {
  const e = escapeHtml
  const action = parts.action ? button(parts.action.label, parts.action.url) : ''
  const code = parts.code
    ? `<p style="${P}">${e(parts.code.label)}</p>
<p style="margin:0 0 24px;font-size:28px;letter-spacing:6px;font-weight:700;color:#1f2933;font-family:Menlo,Consolas,monospace">${e(parts.code.value)}</p>`
    : ''
  const fallback = parts.action
    ? `<p style="${SMALL}">${e(parts.fallbackLabel ?? parts.action.intro)}<br><a href="${e(parts.action.url)}" style="color:#2457c5;word-break:break-all">${e(parts.action.url)}</a></p>`
    : ''
  const support = parts.app.supportEmail
    ? `<br>${e(parts.support).replace(e(parts.app.supportEmail), `<a href="mailto:${e(parts.app.supportEmail)}" style="color:#52606d">${e(parts.app.supportEmail)}</a>`)}`
    : ''
  return `<!doctype html>
<html lang="${parts.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light"><title>${e(parts.subject)}</title></head>
<body style="margin:0;padding:0;background:#f5f7fa">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${e(parts.preview)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f5f7fa"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background:#ffffff;border-radius:8px"><tr><td style="padding:28px 24px">
<p style="margin:0 0 16px;font-size:14px;font-weight:700;color:#2457c5;${FONT}">${e(parts.app.name)}</p>
<h1 style="margin:0 0 20px;font-size:22px;line-height:1.3;color:#1f2933;${FONT}">${e(parts.heading)}</h1>
${parts.paragraphs.map((p) => `<p style="${P}">${e(p)}</p>`).join('\n')}
${action}
${code}
${fallback}
${parts.notes.map((n) => `<p style="${SMALL}">${e(n)}</p>`).join('\n')}
</td></tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px"><tr><td style="padding:16px 24px">
<p style="margin:0;font-size:12px;line-height:1.5;color:#52606d;${FONT}">${e(parts.reason)}${support}</p>
</td></tr></table>
</td></tr></table>
</body>
</html>
`
}

/** The text part reads on its own: no button to refer to, the URL introduced by what it does. */
function text(parts: MailParts): string {
  const blocks = [parts.app.name, parts.heading, ...parts.paragraphs]
  if (parts.code) blocks.push(`${parts.code.label} ${parts.code.value}`)
  if (parts.action) blocks.push(`${parts.action.intro}\n${parts.action.url}`)
  blocks.push(...parts.notes)
  blocks.push('--', parts.app.supportEmail ? `${parts.reason}\n${parts.support}` : parts.reason)
  return `${blocks.join('\n\n')}\n`
}

export function renderParts(parts: MailParts): RenderedMail {
  return { subject: parts.subject, html: html(parts), text: text(parts) }
}
