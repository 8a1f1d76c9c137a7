import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type LinkPurpose, LocaleSchema, type MailJob, MailJobSchema } from '@authmail/contracts'
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
  email_change: {
    path: '/change-email',
    purpose: 'change_email',
    en: /expire in 24 hours/,
    ru: /действуют 24 часа/,
  },
  email_change_taken: {
    path: '/recover-password',
    purpose: null,
    en: /works for 1 hour/,
    ru: /действует 1 час/,
  },
  email_changed: {
    path: '/revert-email',
    purpose: 'revert_email',
    en: /undo the change for 7 days/,
    ru: /в течение 7 дней/,
  },
  login_code: {
    path: '/login',
    purpose: 'login_email',
    en: /expire in 10 minutes/,
    ru: /действуют один раз, 10 минут/,
  },
  invitation: {
    path: '/set-password',
    purpose: 'set_password',
    en: /expires in 7 days/,
    ru: /действует 7 дней/,
  },
  account_deleted: {
    path: null,
    purpose: null,
    en: /last e-mail about this account/,
    ru: /последнее письмо/,
  },
}

/**
 * Russian mails carrying a link leave out the address they are sent to, and
 * show the link itself once, in the text part: SpamAssassin's MIXED_ES counts
 * the Latin "e"s of both parts beside the Cyrillic "е"s (docs/mails-and-languages.md).
 */
const RU_WITHOUT_RECIPIENT: MailJob['type'][] = [
  'set_password',
  'verify_email',
  'reset_password',
  'unverified_reminder',
  'email_change',
  'login_code',
  'invitation',
]

for (const type of [...RU_WITHOUT_RECIPIENT, 'email_changed'] as const) {
  test(`${type} (ru): the link shows once, in the text part; the HTML carries it behind the button and a worded link`, () => {
    const mail = compose(job(type, { locale: 'ru', email: 'reader@example.org' }))
    const { url } = linkIn(mail.text)
    assert.equal(mail.text.split(url.href).length, 2, 'the text part shows the link once')
    assert.equal(mail.html.split(`href="${url.href}"`).length, 3, 'the button and the fallback link')
    const visible = mail.html.replace(/<[^>]*>/g, ' ')
    assert.doesNotMatch(visible, /https?:\/\//, 'no address of a link among the words')
    assert.ok(!(mail.text + visible).includes('reader@example.org'), 'nor the address the mail goes to')
    assert.match(visible, /эту ссылку/)
  })
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
      const coded = mail.token?.purpose === 'verify_email' || mail.token?.purpose === 'login_email'
      const code = coded && mail.token ? tokens.code(mail.token.jti) : null
      if (code) {
        assert.ok(
          mail.text.indexOf(code) < mail.text.indexOf('http'),
          'the code comes before the link in the text',
        )
        assert.ok(mail.html.indexOf(code) < mail.html.lastIndexOf('href="http'), 'and in the HTML')
      }
    })
  }
}

for (const [type, expected] of Object.entries(EXPECTED) as [MailJob['type'], Expected][]) {
  for (const locale of LocaleSchema.options) {
    test(`${type} (${locale}): link from PUBLIC_BASE_URL, expiry stated, input escaped, text part`, () => {
      const mail = compose(job(type, { locale, email: HOSTILE, newEmail: HOSTILE } as Partial<MailJob>))
      assert.ok(mail.subject.length > 0)
      const words = wordsIn(expected, locale)
      if (words) {
        assert.match(mail.text, words, 'the text says how long the link lasts')
        assert.match(mail.html, words, 'so does the HTML')
      }
      assert.ok(!mail.html.includes('<img'), 'the address is not markup in the HTML')
      if (locale === 'ru' && RU_WITHOUT_RECIPIENT.includes(type)) {
        assert.ok(!mail.text.includes(HOSTILE), 'the Russian text does not repeat the address it goes to')
        assert.ok(!mail.html.includes('onerror'), 'nor does the HTML')
      } else {
        assert.ok(mail.text.includes(HOSTILE), 'the text part names the address as is')
        assert.ok(mail.html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'it is shown escaped')
      }
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

/** Near the longest address the contract takes (254 characters). */
const LONG_ADDRESS = `firstname.middlename.lastname+newsletters.and.offers@${'departments.'.repeat(15)}example.org`

test('every link a mail carries holds a token of at most 200 characters, whatever the address', () => {
  assert.ok(LONG_ADDRESS.length > 200, `${LONG_ADDRESS.length} characters`)
  const jobs: MailJob[] = [
    ...(['set_password', 'verify_email', 'reset_password', 'unverified_reminder'] as const).map((type) =>
      job(type, { email: LONG_ADDRESS, credentialVersion: 999 } as Partial<MailJob>),
    ),
    job('unverified_reminder', {
      email: LONG_ADDRESS,
      credentialVersion: 999,
      linkPurpose: 'set_password',
    } as Partial<MailJob>),
  ]
  for (const each of jobs) {
    for (const locale of LocaleSchema.options) {
      // A credential version of three digits: the short format stays within 200 up to 999.
      const mail = compose(MailJobSchema.parse({ ...each, locale }))
      const { url, token } = linkIn(mail.text)
      assert.ok(token.length <= 200, `${each.type}: a token of ${token.length} characters`)
      // The token is all that varies: nothing in it is escaped, and the rest is origin and path.
      const prefix = `${PUBLIC_BASE_URL}${url.pathname}?token=`
      assert.equal(url.href, `${prefix}${token}`)
      assert.ok(
        url.href.length <= prefix.length + 200,
        `${each.type}: a link of ${url.href.length} characters`,
      )
      assert.ok(mail.html.includes(`href="${url.href}"`), 'the button links to the same URL')
      assert.equal(tokens.verify(token, mail.token?.purpose ?? 'access').jti, mail.token?.jti)
    }
  }
})

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

test('a sign-in mail carries the code of its token, and a link only with APP_LOGIN_URL', () => {
  const mail = compose(job('login_code'))
  assert.equal(mail.token?.purpose, 'login_email')
  const code = tokens.code(mail.token?.jti ?? '')
  assert.ok(mail.text.includes(code) && mail.html.includes(code))
  const { url, token } = linkIn(mail.text)
  assert.equal(`${url.origin}${url.pathname}`, `${PUBLIC_BASE_URL}/login`)
  assert.equal(tokens.verify(token, 'login_email').jti, mail.token?.jti)
  assert.ok(mail.token && mail.token.expiresAt.getTime() - Date.now() <= 600_000, 'it lasts LOGIN_CODE_TTL')

  const codeOnly = createComposer({ ...env, APP_LOGIN_URL: undefined }, tokens)(job('login_code'))
  assert.doesNotMatch(codeOnly.text + codeOnly.html, /https?:\/\//, 'no link without APP_LOGIN_URL')
  assert.match(codeOnly.text, /The code works once and expires in 10 minutes/)
  assert.ok(codeOnly.text.includes(tokens.code(codeOnly.token?.jti ?? '')))
})

test('an invitation links to the set-password page for INVITE_TTL', () => {
  const mail = compose(job('invitation'))
  assert.equal(mail.token?.purpose, 'set_password')
  const { url, token } = linkIn(mail.text)
  assert.equal(url.pathname, '/set-password')
  const lifetime = tokens.verify(token, 'set_password').exp - Math.floor(Date.now() / 1000)
  assert.ok(lifetime > 604_700 && lifetime <= 604_800, `${lifetime} s`)
})

test('verification mails carry the code of their own token', () => {
  const mail = compose(job('verify_email'))
  assert.ok(mail.token)
  assert.ok(mail.text.includes(tokens.code(mail.token.jti)))
  assert.ok(mail.html.includes(tokens.code(mail.token.jti)))
})

test('a change-of-address mail carries the code of its change, and no address in its token', () => {
  const change = job('email_change')
  const mail = compose(change)
  assert.ok(mail.token)
  const claims = tokens.verify(linkIn(mail.text).token, 'change_email')
  assert.equal(claims.jti, change.changeId, 'the token names the pending change')
  assert.equal(claims.email, undefined)
  assert.ok(mail.text.includes(tokens.code(mail.token.jti)))
  assert.ok(mail.text.indexOf(tokens.code(mail.token.jti)) < mail.text.indexOf('http'), 'code before link')
})

test('the change notice names the new address and links to the revert page', () => {
  const mail = compose(job('email_changed', { newEmail: 'moved@example.net' } as Partial<MailJob>))
  assert.match(mail.text, /moved@example\.net/)
  assert.equal(tokens.verify(linkIn(mail.text).token, 'revert_email').jti, mail.token?.jti)
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
