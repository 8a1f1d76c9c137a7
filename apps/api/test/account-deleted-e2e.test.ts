import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Stack, startSmtpServer, startStack, type TestSmtpServer } from '@authmail/testing'

const APP_URL = 'https://app.example.com/'

describe('leaving on real processes: DELETE /me → outbox → RabbitMQ → worker → farewell over TLS', () => {
  let smtp: TestSmtpServer
  let stack: Stack
  before(async () => {
    smtp = await startSmtpServer({ mode: 'starttls' })
    stack = await startStack({ smtp, env: { APP_URL } })
    await Promise.all([stack.up('api'), stack.up('worker')])
  })
  after(async () => {
    await stack?.close()
    await smtp?.close()
  })

  test('a confirmed user deletes the account and receives the farewell, which links only to APP_URL', async () => {
    const email = `leaving-${Date.now()}@example.com`
    const password = 'a fine long passphrase'
    assert.equal((await stack.post('/register', { email, password })).status, 202)
    const welcome = await smtp.waitForMail((m) => m.to.includes(email), 15_000)
    const code = /\b(\d{6})\b/.exec(welcome.parsed.text ?? '')?.[1]
    assert.ok(code, `no code in:\n${welcome.parsed.text}`)

    // Confirm with the code in the limited session, then sign in for real.
    const limited = await stack.post('/login', { email, password })
    const { error } = (await limited.json()) as { error: { details: { verification_token: string } } }
    const verification = { authorization: `Bearer ${error.details.verification_token}` }
    // A code is checked against the mail's receipt, which travels worker → RabbitMQ → api a moment after the mail.
    const receiptRecorded = async () => {
      const me = await fetch(`${stack.baseUrl}/me`, { headers: verification })
      return ((await me.json()) as { email_verification: { sent?: boolean } | null }).email_verification?.sent
    }
    for (const deadline = Date.now() + 10_000; !(await receiptRecorded()) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.equal((await stack.post('/verify-email/code', { code }, verification)).status, 200)
    const signIn = await stack.post('/login', { email, password })
    assert.equal(signIn.status, 200)
    const { access_token } = (await signIn.json()) as { access_token: string }

    const deleted = await fetch(`${stack.baseUrl}/api/v1/auth/me`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password }),
    })
    assert.equal(deleted.status, 204)

    const farewell = await smtp.waitForMail((m) => m.to.includes(email) && m !== welcome, 15_000)
    assert.equal(farewell.secure, true)
    assert.equal(farewell.parsed.subject, 'Your authmail account was deleted')
    assert.match(farewell.parsed.text ?? '', /last e-mail about this account/)
    assert.deepEqual((farewell.parsed.text ?? '').match(/https?:\/\/\S+/g), [APP_URL])
    assert.equal((await stack.post('/login', { email, password })).status, 401)
  })
})
