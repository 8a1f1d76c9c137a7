import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type LinkPurpose, LocaleSchema, type MailJob } from '@authmail/contracts'
import { formatDate, formatDuration } from '@authmail/emails'
import { createComposer } from '../src/compose.ts'
import { COMPOSE_ENV, job, linkIn, PUBLIC_BASE_URL, testTokens } from './helper.ts'

const env = COMPOSE_ENV
const tokens = testTokens()
const compose = createComposer(env, tokens)

/** An address a stranger controls: valid for the contract, hostile for HTML. */
const HOSTILE = '"<img src=x onerror=alert(1)>"@example.com'

interface Expected {
  /** Where the link points; null: the mail has no link. */
  path: string | null
  /** The purpose of the token the link carries; null: no token. */
  purpose: LinkPurpose | null
  /** The words that say how long the link lasts, in the languages checked word for word. */
  en: RegExp
  ru: RegExp
}

const wordsIn = (expected: Expected, locale: string): RegExp | undefined =>
  locale === 'en' || locale === 'ru' ? expected[locale] : undefined

const EXPECTED: Record<MailJob['type'], Expected> = {
  set_password: {
    path: '/set-password',
    purpose: 'set_password',
    en: /expires in 24 hours/,
    ru: /действует 24 часа/,
  },
  verify_email: {
    path: '/verify-email',
    purpose: 'verify_email',
    en: /expire in 24 hours/,
    ru: /действуют 24 часа/,
  },
  reset_password: {
    path: '/set-password',
    purpose: 'reset_password',
    en: /expires in 1 hour/,
    ru: /действует 1 час/,
  },
  unverified_reminder: {
    path: '/verify-email',
    purpose: 'verify_email',
    en: /expire on /,
    ru: /действуют до /,
  },
  account_exists: {
    path: '/recover-password',
    purpose: null,
    en: /works for 1 hour/,
    ru: /действует 1 час/,
  },
  password_changed: {
    path: '/recover-password',
    purpose: null,
    en: /works for 1 hour/,
    ru: /действует 1 час/,
  },
  no_account: { path: null, purpose: null, en: /ignore this e-mail/, ru: /проигнорируйте/ },
  account_deleted: {
    path: null,
    purpose: null,
    en: /last e-mail about this account/,
    ru: /последнее письмо/,
  },
}

const branded = createComposer({ ...env, APP_NAME: 'Orbit', SUPPORT_EMAIL: 'help@orbit.example' }, tokens)

for (const type of Object.keys(EXPECTED) as MailJob['type'][]) {
  for (const locale of LocaleSchema.options) {
    test(`${type} (${locale}): names APP_NAME in subject, body and footer; text reads without a button`, () => {
      const mail = branded(job(type, { locale }))
      assert.match(mail.subject, /Orbit/)
      assert.ok(mail.text.split('Orbit').length >= 3, 'the text names the product in body and footer')
      assert.match(mail.text, /help@orbit\.example/)
      assert.match(mail.html, /href="mailto:help@orbit\.example"/)
      assert.match(mail.html, /<meta name="color-scheme" content="light">/)
      assert.match(mail.html, /<div style="display:none;[^"]*">[^<]+<\/div>/, 'hidden preview text')
      assert.doesNotMatch(mail.text, /button/i, 'the text part has no button to refer to')
      assert.doesNotMatch(mail.text, /кнопк/i)
      assert.doesNotMatch(mail.text + mail.html, /does not expire|не истекает|unless you confirm/)
      if (mail.html.includes('<a href="http')) {
        assert.match(
          mail.html,
          /<td align="center" bgcolor="#2457c5" style="[^"]*padding:12px 24px"><a href=/,
          'a table-cell button',
        )
      }
      const code = mail.token?.purpose === 'verify_email' ? tokens.code(mail.token.jti) : null
      if (code) {
        assert.ok(
          mail.text.indexOf(code) < mail.text.indexOf('http'),
          'the code comes before the link in the text',
        )
        assert.ok(mail.html.indexOf(code) < mail.html.lastIndexOf('word-break:break-all'), 'and in the HTML')
      }
    })
  }
}

for (const [type, expected] of Object.entries(EXPECTED) as [MailJob['type'], Expected][]) {
  for (const locale of LocaleSchema.options) {
    test(`${type} (${locale}): link from PUBLIC_BASE_URL, expiry stated, input escaped, text part`, () => {
      const mail = compose(job(type, { locale, email: HOSTILE }))
      assert.ok(mail.subject.length > 0)
      const words = wordsIn(expected, locale)
      if (words) {
        assert.match(mail.text, words, 'the text says how long the link lasts')
        assert.match(mail.html, words, 'so does the HTML')
      }
      assert.ok(mail.text.includes(HOSTILE), 'the text part names the address as is')
      assert.ok(!mail.html.includes('<img'), 'the address is not markup in the HTML')
      assert.ok(mail.html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'it is shown escaped')
      assert.doesNotMatch(mail.html, /<[a-z][^>]*\ssrc=|<link|<script|url\(/i, 'nothing remote is loaded')
      assert.match(mail.html, new RegExp(`<html lang="${locale}">`))

      if (!expected.path) {
        assert.doesNotMatch(mail.text, /https?:\/\//)
        assert.equal(mail.token, null)
        return
      }
      const { url, token } = linkIn(mail.text)
      assert.equal(`${url.origin}${url.pathname}`, `${PUBLIC_BASE_URL}${expected.path}`)
      assert.ok(
        mail.html.includes(`href="${url.href.replaceAll('&', '&amp;')}"`),
        'the HTML links to the same URL',
      )
      if (!expected.purpose) {
        assert.equal(mail.token, null, 'no token is minted')
        assert.equal(token, '', 'the link carries none')
        return
      }
      assert.ok(mail.token, `a ${type} mail carries a token`)
      assert.equal(mail.token.purpose, expected.purpose)
      assert.equal(tokens.verify(token, expected.purpose).jti, mail.token.jti)
      // The reminder states its own date (the deletion can come before the token expires).
      if (type !== 'unverified_reminder') {
        assert.ok(mail.html.includes(formatDate(mail.token.expiresAt, locale)), 'the HTML states the expiry')
      }
    })
  }
}

test('the reminder states the deletion date and never promises a link past it', () => {
  const deleteAt = new Date(Date.now() + 3 * 3_600_000)
  const mail = compose(job('unverified_reminder', { deleteAt: deleteAt.toISOString() }))
  assert.ok(mail.text.includes(`deleted on ${formatDate(deleteAt, 'en')}`))
  assert.ok(
    mail.text.includes(`expire on ${formatDate(deleteAt, 'en')}`),
    'the link lasts until the deletion',
  )
  assert.match(mail.text, /\b\d{6}\b/, 'it carries a code')
})

test('the reminder of an account without a password links to set one, without a code', () => {
  const mail = compose(job('unverified_reminder', { linkPurpose: 'set_password' } as Partial<MailJob>))
  assert.equal(mail.token?.purpose, 'set_password')
  const { url, token } = linkIn(mail.text)
  assert.equal(url.pathname, '/set-password')
  assert.equal(tokens.verify(token, 'set_password').jti, mail.token?.jti)
  assert.doesNotMatch(mail.text, /\b\d{6}\b/, 'no code: the page sets the password and confirms')
  assert.match(mail.html, /Set your password/)
})

test('verification mails carry the code of their own token', () => {
  const mail = compose(job('verify_email'))
  assert.ok(mail.token)
  assert.ok(mail.text.includes(tokens.code(mail.token.jti)))
  assert.ok(mail.html.includes(tokens.code(mail.token.jti)))
})

test('durations read naturally in both languages', () => {
  assert.equal(formatDuration(3_600, 'en'), '1 hour')
  assert.equal(formatDuration(172_800, 'en'), '2 days')
  assert.equal(formatDuration(1_800, 'en'), '30 minutes')
  assert.equal(formatDuration(86_400, 'ru'), '24 часа')
  assert.equal(formatDuration(172_800, 'ru'), '2 дня')
  assert.equal(formatDuration(5 * 3_600, 'ru'), '5 часов')
  assert.equal(formatDuration(21 * 60, 'ru'), '21 минута')
})

test('account_deleted links to APP_URL when it is set, and to nothing otherwise', () => {
  const withUrl = createComposer({ ...env, APP_URL: 'https://orbit.example/' }, tokens)
  for (const locale of LocaleSchema.options) {
    const mail = withUrl(job('account_deleted', { locale }))
    assert.equal(mail.token, null)
    assert.deepEqual(mail.text.match(/https?:\/\/\S+/g), ['https://orbit.example/'])
    assert.match(mail.html, /<a href="https:\/\/orbit\.example\/"/)
    assert.doesNotMatch(compose(job('account_deleted', { locale })).html, /<a href="http/)
  }
})
