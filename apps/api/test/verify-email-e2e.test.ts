import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { useRealStack } from '@authmail/testing'
import type { VerificationStatus } from '../src/deliveries/deliveries.ts'

describe('verification on real processes: the worker mails link and code, its receipt drives GET /me', () => {
  const real = useRealStack()

  test('register with a password → mail with code → GET /me says sent → the code confirms → the link says already confirmed', async () => {
    const { smtp, stack, browser } = real
    const email = `code-${Date.now()}@example.com`
    const res = await stack.post('/api/v1/auth/register', { email, password: 'a fine long passphrase' })
    assert.equal(res.status, 202)
    const mail = await smtp.waitForMail((m) => m.to.includes(email), 15_000)
    const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? '')?.[1]
    const link = /(https?:\/\/\S+\/verify-email\?token=\S+)/.exec(mail.parsed.text ?? '')?.[1]
    assert.ok(code && link, `no code or link in:\n${mail.parsed.text}`)

    // The right password of an unconfirmed account gets a session limited to /me and the code.
    const login = await stack.post('/api/v1/auth/login', { email, password: 'a fine long passphrase' })
    assert.equal(login.status, 403)
    const { error } = (await login.json()) as {
      error: { code: string; details: { verification_token: string } }
    }
    assert.equal(error.code, 'AUTH_EMAIL_NOT_VERIFIED')
    const auth = { authorization: `Bearer ${error.details.verification_token}` }

    // The receipt travels worker → RabbitMQ → api a moment after the mail.
    let status: VerificationStatus | null | undefined
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const body = (await (await fetch(`${stack.baseUrl}/me`, { headers: auth })).json()) as {
        email_verification: VerificationStatus | null
      }
      status = body.email_verification
      if (status?.sent) break
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(status?.sent, true)
    assert.equal(status?.last_status, 'sent')
    assert.equal(status?.confirmed, false)
    assert.ok((status?.timer ?? 0) > 0, 'register started the resend cooldown')

    const confirm = await stack.post('/api/v1/auth/verify-email/code', { code }, auth)
    assert.equal(confirm.status, 200)
    assert.deepEqual(await confirm.json(), { message: 'Email verified successfully', email })

    const page = await browser.browser.newPage()
    await page.goto(link)
    assert.equal(await page.textContent('h1'), 'Already confirmed')
    await page.close()
  })
})
