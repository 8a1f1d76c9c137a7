import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
 * The message as the mailer sends it (same headers), as raw MIME. The new
 * address is fixed like the recipient's: MIXED_ES counts Latin "e"s, and a
 * random one would change that count from run to run (docs/mails-and-languages.md).
 */
async function mime(type: MailJob['type'], locale: (typeof LOCALES)[number]): Promise<Buffer> {
  const mail = compose(
    job(type, { locale, email: 'reader@example.org', newEmail: 'new@example.com' } as Partial<MailJob>),
  )
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

/**
 * Score and rules that hit per message id, from one `spamassassin -L -t` over
 * all the files (local tests only: no network rules). One process: loading the
 * rules takes seconds, scoring a message a fraction of that.
 */
async function scores(files: string[]) {
  const { stdout } = await run(SPAMASSASSIN, ['-L', '-t', ...files], { maxBuffer: 100_000_000 })
  const found = new Map<string, { score: number; tests: string }>()
  for (const message of stdout.split(/^(?=X-Spam-Checker-Version:)/m).filter(Boolean)) {
    const status = message.match(/X-Spam-Status: \w+, score=(-?[\d.]+)[\s\S]*?tests=([\s\S]*?)autolearn/)
    const id = message.match(/^Message-ID: <([^>]+)>/im)
    assert.ok(status && id, 'spamassassin reported a status for each message')
    found.set(id[1] ?? '', { score: Number(status[1]), tests: (status[2] ?? '').replace(/\s+/g, '') })
  }
  return found
}

test('every mail kind in every language scores below 1.0 in SpamAssassin', {
  skip: existsSync(SPAMASSASSIN) ? false : `${SPAMASSASSIN} is missing: apt-get install -y spamassassin`,
}, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'authmail-spam-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const files: string[] = []
  for (const type of KINDS) {
    for (const locale of LOCALES) {
      const file = join(dir, `${type}.${locale}.eml`)
      await writeFile(file, await mime(type, locale))
      files.push(file)
    }
  }
  const found = await scores(files)
  const results: string[] = []
  const high: string[] = []
  for (const type of KINDS) {
    for (const locale of LOCALES) {
      const result = found.get(`${type}.${locale}@accounts.example.com`)
      assert.ok(result, `${type} (${locale}) was scored`)
      results.push(`${type} ${locale} ${result.score} ${result.tests}`)
      if (result.score >= 1) high.push(`${type} (${locale}): ${result.score} ${result.tests}`)
    }
  }
  if (process.env.SPAM_SCORES) console.log(results.join('\n'))
  assert.deepEqual(high, [], 'mails at or above 1.0')
})
