import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type LaunchedBrowser,
  launchBrowser,
  type ReceivedMail,
  type Stack,
  startSmtpServer,
  startStack,
  type TestSmtpServer,
} from '@authmail/testing'

const ADMIN = 'root-admin@example.com'
const ADMIN_PASSWORD = 'a very long admin passphrase 51'
const LOGIN_PAGE = 'https://app.example.com/sign-in'

const to = (address: string) => (mail: ReceivedMail) => mail.to.includes(address.toLowerCase())
const textOf = (mail: ReceivedMail) => String(mail.parsed.text ?? '')

/** The 6-digit code as a person reads it: the only six-digit number in the text part. */
function codeIn(mail: ReceivedMail): string {
  const match = /\b(\d{6})\b/.exec(textOf(mail))
  assert.ok(match?.[1], `no code in:\n${textOf(mail)}`)
  return match[1]
}

/** The href of the mail's button (its first link) that starts with `prefix`. */
function linkIn(mail: ReceivedMail, prefix: string): string {
  const html = String(mail.parsed.html || '')
  const match = new RegExp(`href="(${prefix.replace(/[.?]/g, '\\$&')}\\?token=[^"]+)"`).exec(html)
  assert.ok(match?.[1], `no ${prefix} link in:\n${html}`)
  return match[1].replaceAll('&amp;', '&')
}

describe('sign-in by e-mail and admin invitations on real processes, SMTP and Chromium', () => {
  let smtp: TestSmtpServer
  let stack: Stack
  let browser: LaunchedBrowser
  before(async () => {
    smtp = await startSmtpServer({ mode: 'starttls' })
    stack = await startStack({
      smtp,
      env: { ADMIN_EMAIL: ADMIN, ADMIN_PASSWORD, APP_LOGIN_URL: LOGIN_PAGE, RESEND_COOLDOWN_SECONDS: '0' },
    })
    await Promise.all([stack.up('api'), stack.up('worker')])
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await stack?.close()
    await smtp?.close()
  })

  /**
   * Posts the code read from the mail. The worker reports a mail sent right
   * after the SMTP server took it, so the api may learn of it a moment after
   * the test does: a refusal is retried a few times (never more than the five tries).
   */
  async function signInWithCode(email: string, code: string) {
    for (let attempt = 1; ; attempt++) {
      const res = await stack.post('/login/code', { email, code })
      if (res.status === 200 || attempt === 3) return res
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }

  test('the admin signs in with the code read from the mail, invites a user who sets a password in Chromium and signs in, then signs in by link', async () => {
    const asked = await stack.post('/login/email', { email: ADMIN })
    assert.equal(asked.status, 202)
    const codeMail = await smtp.waitForMail(to(ADMIN), 20_000)
    assert.equal(codeMail.secure, true)
    assert.match(String(codeMail.parsed.subject), /sign-in code/)
    const session = await signInWithCode(ADMIN, codeIn(codeMail))
    assert.equal(session.status, 200, await session.clone().text())
    const { access_token } = (await session.json()) as { access_token: string }
    const again = await stack.post('/login/code', { email: ADMIN, code: codeIn(codeMail) })
    assert.equal(again.status, 401, 'the code works once')

    const invitee = `invitee-${Date.now()}@example.com`
    const invited = await stack.post(
      '/users',
      { email: invitee },
      { authorization: `Bearer ${access_token}` },
    )
    assert.equal(invited.status, 201)
    const invitation = await smtp.waitForMail(to(invitee), 20_000)
    assert.match(textOf(invitation), /7 days/)
    const setLink = linkIn(invitation, `${stack.baseUrl}/set-password`)

    const page = await browser.browser.newPage()
    assert.equal((await page.goto(setLink))?.status(), 200)
    await page.fill('#password', 'the invitee chose this passphrase')
    await page.fill('#password_confirm', 'the invitee chose this passphrase')
    await page.click('button[type=submit]')
    await page.waitForSelector('h1')
    assert.equal(await page.textContent('h1'), 'Your password is set')
    await page.close()
    const login = await stack.post('/login', {
      email: invitee,
      password: 'the invitee chose this passphrase',
    })
    assert.equal(login.status, 200, 'setting the password confirmed the address')

    // With APP_LOGIN_URL the mail links to the product's page, which posts the token to the api.
    assert.equal((await stack.post('/login/email', { email: invitee })).status, 202)
    const linkMail = await smtp.waitForMail(
      (m) => to(invitee)(m) && /sign-in/.test(String(m.parsed.subject)),
      20_000,
    )
    const token = new URL(linkIn(linkMail, LOGIN_PAGE)).searchParams.get('token') ?? ''
    assert.ok(token.length > 0)
    const byLink = await stack.post(`/api/v1/auth/login/email/${encodeURIComponent(token)}`, {})
    assert.equal(byLink.status, 200)
    assert.equal(((await byLink.json()) as { token_type: string }).token_type, 'Bearer')
    assert.equal((await stack.post(`/login/email/${encodeURIComponent(token)}`, {})).status, 401)
  })
})
