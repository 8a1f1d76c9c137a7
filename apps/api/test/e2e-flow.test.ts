import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type ReceivedMail, useRealStack } from '@authmail/testing'

/** The link the mail carries, from its HTML part (the button a person clicks). */
function linkIn(mail: ReceivedMail, path: string): string {
  const html = String(mail.parsed.html || '')
  const match = new RegExp(`href="([^"]*${path}\\?token=[^"]+)"`).exec(html)
  assert.ok(match?.[1], `no ${path} link in the mail:\n${html}`)
  return match[1].replaceAll('&amp;', '&')
}

const to = (address: string) => (mail: ReceivedMail) => mail.to.includes(address)

describe('the whole flow on real processes: register → RabbitMQ → worker → TLS mail → browser', () => {
  const real = useRealStack()

  test('register, set the password in Chromium, then recover and set a new one', async () => {
    const { smtp, stack, browser } = real
    const email = `e2e-${Date.now()}@example.com`
    const res = await stack.post('/register', { email })
    assert.equal(res.status, 202)
    assert.equal(((await res.json()) as { email: string }).email, email)

    const welcome = await smtp.waitForMail(to(email), 15_000)
    assert.equal(welcome.secure, true, 'the mail must travel over TLS')
    assert.equal(welcome.parsed.headers.get('auto-submitted'), 'auto-generated')
    assert.ok(welcome.parsed.text?.includes('/set-password?token='), 'the text part carries the link too')
    const setLink = linkIn(welcome, '/set-password')
    assert.ok(setLink.startsWith(`${stack.baseUrl}/set-password?token=`), 'links come from PUBLIC_BASE_URL')

    const page = await browser.browser.newPage()
    const shown = await page.goto(setLink)
    assert.equal(shown?.status(), 200)
    assert.equal(shown?.headers()['referrer-policy'], 'no-referrer')
    assert.match(shown?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/)
    await page.fill('#password', 'correct horse battery staple')
    await page.fill('#password_confirm', 'correct horse battery staple')
    await page.click('button[type=submit]')
    await page.waitForSelector('h1')
    assert.equal(await page.textContent('h1'), 'Your password is set')
    assert.ok((await page.textContent('#message'))?.includes(email))

    // The same link again: a clear page, not a second password change.
    const again = await page.goto(setLink)
    assert.equal(again?.status(), 401)
    assert.equal(await page.textContent('h1'), 'This link does not work')

    const notice = await smtp.waitForMail(
      (m) => to(email)(m) && /password/i.test(m.parsed.subject ?? '') && m !== welcome,
      15_000,
    )
    assert.ok(notice)

    const recover = await stack.post('/recover-password', { email })
    assert.equal(recover.status, 202)
    const reset = await smtp.waitForMail(
      (m) => to(email)(m) && String(m.parsed.html).includes('set-password?token=') && m !== welcome,
      15_000,
    )
    const resetLink = linkIn(reset, '/set-password')
    await page.goto(resetLink)
    await page.fill('#password', 'a different but long passphrase')
    await page.fill('#password_confirm', 'a different but long passphrase')
    await page.click('button[type=submit]')
    await page.waitForSelector('h1')
    assert.equal(await page.textContent('h1'), 'Your password is set')
    await page.close()

    // The new password signs in; the first one no longer does.
    const signIn = (password: string) => stack.post('/login', { email, password })
    assert.equal((await signIn('correct horse battery staple')).status, 401)
    const session = await signIn('a different but long passphrase')
    assert.equal(session.status, 200)
    assert.equal(((await session.json()) as { token_type: string }).token_type, 'Bearer')
  })

  test('recover-password for an unknown address answers the same and mails "no account here"', async () => {
    const { smtp, stack } = real
    const known = `known-${Date.now()}@example.com`
    await stack.post('/register', { email: known })
    await smtp.waitForMail(to(known), 15_000)
    const unknown = `nobody-${Date.now()}@example.com`
    const [a, b] = await Promise.all([
      stack.post('/recover-password', { email: known }),
      stack.post('/recover-password', { email: unknown }),
    ])
    assert.equal(a.status, 202)
    assert.equal(b.status, 202)
    assert.equal(await a.text(), await b.text())
    const mail = await smtp.waitForMail(to(unknown), 15_000)
    assert.ok(!String(mail.parsed.html).includes('token='), 'no link for an address without an account')
  })
})
