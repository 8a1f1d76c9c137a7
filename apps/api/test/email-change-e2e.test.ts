import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { useRealStack } from '@authmail/testing'

describe('change of address on real processes: the worker mails the link, the notice and the reset', () => {
  const real = useRealStack()

  test('ask → confirm on the new address in a browser → the old address undoes it → a reset link arrives', async () => {
    const { smtp, stack, browser } = real
    const stamp = Date.now()
    const old = `old-${stamp}@example.com`
    const fresh = `new-${stamp}@example.net`
    const password = 'a fine long passphrase'
    const textOf = (m: { parsed: { text?: string } }) => m.parsed.text ?? ''
    const linkIn = (text: string, path: string) =>
      new RegExp(`(https?://\\S+${path}\\?token=\\S+)`).exec(text)?.[1]

    // A confirmed account, signed in.
    assert.equal((await stack.post('/register', { email: old, password })).status, 202)
    const welcome = await smtp.waitForMail((m) => m.to.includes(old), 15_000)
    const confirmLink = linkIn(textOf(welcome), '/verify-email')
    assert.ok(confirmLink)
    const confirmPage = await browser.browser.newPage()
    await confirmPage.goto(confirmLink)
    await confirmPage.click('#confirm')
    await confirmPage.close()
    const signIn = await stack.post('/login', { email: old, password })
    assert.equal(signIn.status, 200)
    const { access_token } = (await signIn.json()) as { access_token: string }

    const asked = await stack.post(
      '/api/v1/auth/me/email',
      { new_email: fresh, password },
      { authorization: `Bearer ${access_token}` },
    )
    assert.equal(asked.status, 202)

    const confirmation = await smtp.waitForMail((m) => m.to.includes(fresh), 15_000)
    assert.match(textOf(confirmation), /\b\d{6}\b/, 'the mail carries a code')
    const changeLink = linkIn(textOf(confirmation), '/change-email')
    assert.ok(changeLink, textOf(confirmation))
    assert.ok(changeLink.length < 600)

    const page = await browser.browser.newPage()
    await page.goto(changeLink)
    assert.equal(await page.textContent('h1'), 'Confirm your new address')
    await page.click('#confirm')
    assert.equal(await page.textContent('h1'), 'Your address is changed')
    assert.equal((await stack.post('/login', { email: fresh, password })).status, 200)

    const notice = await smtp.waitForMail((m) => m.to.includes(old) && /revert-email/.test(textOf(m)), 15_000)
    assert.ok(textOf(notice).includes(fresh), 'the notice names the new address')
    const revertLink = linkIn(textOf(notice), '/revert-email')
    assert.ok(revertLink)
    await page.goto(revertLink)
    assert.equal(await page.textContent('h1'), 'Undo the change of address')
    await page.click('#confirm')
    assert.equal(await page.textContent('h1'), 'Your address is back')
    await page.close()

    const reset = await smtp.waitForMail(
      (m) => m.to.includes(old) && /set-password\?token=/.test(textOf(m)),
      15_000,
    )
    assert.ok(linkIn(textOf(reset), '/set-password'))
    assert.equal(
      (await stack.post('/login', { email: fresh, password })).status,
      401,
      'the new address is gone',
    )
    assert.equal((await stack.post('/login', { email: old, password })).status, 401, 'so is the password')
  })
})
