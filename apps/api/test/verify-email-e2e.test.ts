import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type LaunchedBrowser,
  launchBrowser,
  STACK_SECRET,
  type Stack,
  startSmtpServer,
  startStack,
  type TestSmtpServer,
} from '@authmail/testing'
import { createTokens } from '@authmail/tokens'
import type { VerificationStatus } from '../src/plugins/deliveries.ts'

describe('verification on real processes: the worker mails link and code, its receipt drives GET /me', () => {
  let smtp: TestSmtpServer
  let stack: Stack
  let browser: LaunchedBrowser

  before(async () => {
    smtp = await startSmtpServer({ mode: 'starttls' })
    stack = await startStack({ smtp, databaseUrl: process.env.E2E_DATABASE_URL })
    await Promise.all([stack.up('api'), stack.up('worker')])
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await stack?.close()
    await smtp?.close()
  })

  test('register with a password → mail with code → GET /me says sent → the code confirms → the link says already confirmed', async () => {
    const email = `code-${Date.now()}@example.com`
    const res = await stack.post('/api/v1/auth/register', { email, password: 'a fine long passphrase' })
    assert.equal(res.status, 202)
    const mail = await smtp.waitForMail((m) => m.to.includes(email), 15_000)
    const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? '')?.[1]
    const link = /(https?:\/\/\S+\/verify-email\?token=\S+)/.exec(mail.parsed.text ?? '')?.[1]
    assert.ok(code && link, `no code or link in:\n${mail.parsed.text}`)

    // POST /login refuses unconfirmed accounts, so an access token signed with the stack's secret stands in.
    const tokens = createTokens({
      secret: STACK_SECRET,
      issuer: stack.baseUrl,
      ttl: { set_password: 60, verify_email: 60, reset_password: 60, access: 60 },
    })
    const claims = JSON.parse(
      Buffer.from(new URL(link).searchParams.get('token')?.split('.')[1] ?? '', 'base64url').toString(),
    )
    const auth = {
      authorization: `Bearer ${tokens.sign('access', { sub: claims.sub, ver: claims.ver }).token}`,
    }

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
