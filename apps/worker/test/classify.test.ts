import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startSmtpServer, type TestSmtpServer } from '@authmail/testing'
import { classify, InvalidMessageError } from '../src/classify.ts'
import { loadWorkerEnv } from '../src/env.ts'
import { createMailer } from '../src/mailer.ts'
import { testEnv } from './helper.ts'

/** The error a real send through the worker's mailer gets from a misbehaving server. */
async function failureFrom(
  smtp: TestSmtpServer,
  env: Record<string, string | undefined> = {},
): Promise<unknown> {
  const mailer = createMailer(
    loadWorkerEnv(testEnv({ SMTP_URL: smtp.url, SMTP_CA_FILE: smtp.caFile, ...env })),
  )
  try {
    await mailer.send({
      to: 'a@example.com',
      messageId: '<x@example.test>',
      subject: 's',
      text: 't',
      html: '<p>t</p>',
    })
    return null
  } catch (error) {
    return error
  } finally {
    mailer.close()
  }
}

test('real SMTP failures are classified: 4xx, timeouts, drops and TLS trouble retry; 5xx is permanent', async (t) => {
  const smtp = await startSmtpServer()
  t.after(() => smtp.close())
  const cases = [
    { name: '421 at RCPT', arrange: () => smtp.fail('421'), retryable: true },
    { name: '450 after DATA', arrange: () => smtp.fail('450', { at: 'data' }), retryable: true },
    { name: '550 at RCPT', arrange: () => smtp.fail('550'), retryable: false, refused: true },
    {
      name: '550 5.1.1 user unknown at RCPT',
      arrange: () => smtp.unknownRecipient('a@example.com'),
      retryable: false,
      refused: true,
    },
    {
      name: '550 after DATA',
      arrange: () => smtp.fail('550', { at: 'data' }),
      retryable: false,
      refused: false,
    },
    {
      name: 'stall after DATA',
      arrange: () => smtp.stall(),
      retryable: true,
      env: { SMTP_SOCKET_TIMEOUT_MS: '300' },
    },
    { name: 'dropped connection', arrange: () => smtp.drop({ at: 'rcpt' }), retryable: true },
    {
      name: 'untrusted certificate',
      arrange: () => smtp.behave(),
      retryable: true,
      env: { SMTP_CA_FILE: '' },
    },
  ]
  for (const c of cases) {
    smtp.behave()
    c.arrange()
    const error = await failureFrom(smtp, c.env)
    assert.ok(error, `${c.name}: the send failed`)
    const verdict = classify(error)
    assert.equal(verdict.retryable, c.retryable, `${c.name}: ${verdict.error}`)
    if (!verdict.retryable) {
      assert.equal(verdict.reason, 'smtp_rejected')
      assert.equal(verdict.recipientRefused, c.refused, `${c.name}: a refusal of the recipient or not`)
    }
  }
  smtp.behave()
  assert.equal(await failureFrom(smtp), null, 'a well-behaved server takes the mail')
})

test('a wrong SMTP password is retried: it is the server setup, not the message', async (t) => {
  const smtp = await startSmtpServer({ auth: { user: 'u', pass: 'right' } })
  t.after(() => smtp.close())
  const error = await failureFrom(smtp, { SMTP_URL: smtp.url.replace('right', 'wrong') })
  assert.equal(classify(error).retryable, true)
})

test('invalid messages and addresses nodemailer refuses are permanent; unknown errors retry', () => {
  const invalid = classify(new InvalidMessageError('body is not JSON'))
  assert.deepEqual(invalid, {
    retryable: false,
    reason: 'invalid_message',
    error: 'body is not JSON',
    recipientRefused: false,
  })
  const envelope = Object.assign(new Error('Invalid recipient'), { code: 'EENVELOPE' })
  assert.equal(classify(envelope).retryable, false)
  assert.equal(classify(new Error('something odd')).retryable, true)
  assert.equal(classify('a string').retryable, true)
})

test('a 5.7.x policy refusal at RCPT names the sender, not the mailbox: no recipient refusal', () => {
  // The shape nodemailer gives a refused RCPT TO; a relay denying us would refuse every recipient so.
  const refusal = (response: string) =>
    Object.assign(new Error(`Can't send mail - all recipients were rejected: ${response}`), {
      code: 'EENVELOPE',
      command: 'RCPT TO',
      responseCode: Number(response.slice(0, 3)),
      response,
    })
  const policy = classify(refusal('554 5.7.1 <a@example.com>: Relay access denied'))
  assert.equal(policy.retryable, false)
  assert.equal(!policy.retryable && policy.recipientRefused, false)
  const unknown = classify(refusal('550 5.1.1 <a@example.com>: Recipient address rejected: User unknown'))
  assert.equal(!unknown.retryable && unknown.recipientRefused, true)
})
