import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadTemplates, TemplateError } from '@authmail/emails'
import { createTokens } from '@authmail/tokens'
import { createComposer } from '../src/compose.ts'
import { job, PUBLIC_BASE_URL, testEnv } from './helper.ts'
import { runScript } from './processes.ts'

/** A TEMPLATES_DIR holding one file, removed when the test ends. */
function overrides(t: { after: (fn: () => void) => void }, path: string, content: string) {
  const dir = mkdtempSync(join(tmpdir(), 'authmail-templates-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, path, '..'), { recursive: true })
  writeFileSync(join(dir, path), content)
  return dir
}

test('a file in TEMPLATES_DIR replaces the built-in one; the others stay', (t) => {
  const dir = overrides(t, 'verify-email/en/subject.txt', 'Welcome to <%= app.name %>, <%= email %>\n')
  const env = {
    PUBLIC_BASE_URL,
    VERIFY_EMAIL_TTL: 86_400,
    SET_PASSWORD_TTL: 86_400,
    RESET_PASSWORD_TTL: 3_600,
    CHANGE_EMAIL_TTL: 86_400,
    REVERT_EMAIL_TTL: 604_800,
    UNVERIFIED_ACCOUNT_TTL: 172_800,
    APP_NAME: 'Orbit',
  }
  const tokens = createTokens({
    secret: 'a-test-secret-that-is-long-enough-000',
    issuer: PUBLIC_BASE_URL,
    ttl: { set_password: 1_000, verify_email: 1_000, reset_password: 1_000, login_email: 600, access: 1 },
  })
  const compose = createComposer(env, tokens, loadTemplates(dir))
  const mail = compose(job('verify_email', { email: 'ann@example.com' }))
  assert.equal(mail.subject, 'Welcome to Orbit, ann@example.com')
  assert.match(mail.html, /Confirm your e-mail address/, 'the built-in HTML is still used')
  assert.match(compose(job('verify_email', { locale: 'ru' })).subject, /Подтвердите/)
})

test('html templates escape what they are given; text templates do not', (t) => {
  const dir = overrides(t, 'no-account/en/html.ejs', '<p><%= email %></p>')
  const templates = loadTemplates(dir)
  const data = { app: { name: 'A&B' }, email: '"<b>"@example.com' }
  const mail = templates.render('no_account', 'en', data)
  assert.equal(mail.html, '<p>&#34;&lt;b&gt;&#34;@example.com</p>')
  assert.match(mail.text, /"<b>"@example\.com/)
})

test('a template naming a variable the data lacks fails loading, naming the file', (t) => {
  const dir = overrides(t, 'reset-password/ru/text.ejs', 'Hello <%= firstName %>')
  assert.throws(
    () => loadTemplates(dir),
    (error: unknown) =>
      error instanceof TemplateError &&
      error.message.includes(join(dir, 'reset-password/ru/text.ejs')) &&
      /firstName is not defined/.test(error.message),
  )
})

test('a broken override stops the worker start with one message naming the file', async (t) => {
  const dir = overrides(t, 'verify-email/de/html.ejs', 'x')
  mkdirSync(join(dir, 'account-exists/en'), { recursive: true })
  const broken = join(dir, 'account-exists/en/html.ejs')
  writeFileSync(broken, '<% if (email) { %>unclosed')
  const result = await runScript(
    'src/main.ts',
    [],
    testEnv({ TEMPLATES_DIR: dir, SMTP_URL: 'smtp://127.0.0.1:9' }),
  )
  assert.equal(result.code, 78)
  assert.match(result.stderr, new RegExp(`mail template ${broken.replaceAll('/', '\\/')} does not compile`))
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
})
