import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { MailReceiptSchema, SignedMailReceiptSchema } from '@authmail/contracts'
import { json } from '@authmail/testing'
import { createReceiptSeal } from '@authmail/tokens'
import { build, job, linkIn, PUBLIC_BASE_URL } from './helper.ts'

test('a verification job becomes a TLS mail with a working link and code, then a receipt', async (t) => {
  const { env, smtp, rabbit, tokens, logs } = await build(t)
  const sent = job('verify_email', { locale: 'en' })
  await rabbit.publishJob(sent, { headers: { 'x-request-id': 'req-42' } })

  const mail = await smtp.waitForMail((m) => m.to.includes(sent.email))
  assert.equal(mail.secure, true, 'the mail went over STARTTLS')
  assert.equal(mail.parsed.subject, 'Confirm your e-mail address for authmail')
  assert.equal(mail.parsed.messageId, `<${sent.id}@accounts.example.test>`)
  assert.equal(mail.parsed.headers.get('auto-submitted'), 'auto-generated')
  assert.ok(mail.parsed.text && mail.parsed.html, 'both a text and an HTML part')

  const { url, token } = linkIn(mail.parsed.text)
  assert.equal(url.origin + url.pathname, `${PUBLIC_BASE_URL}/verify-email`)
  const claims = tokens.verify(token, 'verify_email')
  assert.equal(claims.sub, sent.userId)
  assert.equal(claims.ver, sent.credentialVersion)
  assert.ok(tokens.sentTo(claims, sent.email), 'the link is bound to the address it went to')
  assert.ok(!tokens.sentTo(claims, `other-${sent.email}`))
  assert.match(
    mail.parsed.text,
    new RegExp(`\\b${tokens.code(claims.jti)}\\b`),
    'the code of this token is in the mail',
  )

  const [message] = await rabbit.take(rabbit.names.receipts)
  assert.ok(message)
  assert.equal(message.properties.headers?.['x-request-id'], 'req-42')
  const receipt = MailReceiptSchema.parse(json(message))
  assert.equal(receipt.status, 'sent')
  assert.equal(receipt.jobId, sent.id)
  assert.equal(receipt.purpose, 'verify_email')
  assert.equal(receipt.tokenId, claims.jti)
  assert.equal(receipt.tokenExpiresAt, new Date(claims.exp * 1000).toISOString())
  const { signature } = SignedMailReceiptSchema.parse(json(message))
  assert.ok(
    createReceiptSeal(env.JWT_SECRET).verify(receipt, signature),
    'the receipt carries the seal the api checks',
  )

  const jobLines = logs.filter((l) => l.jobId === sent.id)
  assert.ok(
    jobLines.some((l) => l.msg === 'mail sent' && l.requestId === 'req-42'),
    'the request id reaches the job log',
  )
  const everything = JSON.stringify(logs)
  assert.ok(!everything.includes(token), 'the token never reaches the logs')
  assert.ok(!everything.includes(tokens.code(claims.jti)), 'the code never reaches the logs')
})

test('a reset mail in Russian links to the set-password page with a reset token', async (t) => {
  const { smtp, rabbit, tokens } = await build(t)
  const sent = job('reset_password', { locale: 'ru' })
  await rabbit.publishJob(sent)
  const mail = await smtp.waitForMail((m) => m.to.includes(sent.email))
  assert.equal(mail.parsed.subject, 'Сброс пароля в authmail')
  const { url, token } = linkIn(mail.parsed.text ?? '')
  assert.equal(url.origin + url.pathname, `${PUBLIC_BASE_URL}/set-password`)
  assert.equal(tokens.verify(token, 'reset_password').sub, sent.userId)
  assert.throws(() => tokens.verify(token, 'set_password'), 'a reset token is no set-password token')
})

test('delivers over implicit TLS (smtps://) with SMTP login', async (t) => {
  const { smtp, rabbit } = await build(t, {
    smtp: { mode: 'smtps', auth: { user: 'mailer', pass: 's3cret:/@' } },
  })
  const sent = job('no_account')
  await rabbit.publishJob(sent)
  const mail = await smtp.waitForMail((m) => m.to.includes(sent.email))
  assert.equal(mail.secure, true)
  assert.equal(mail.user, 'mailer')
  assert.equal(mail.parsed.subject, 'Password reset requested at authmail')
})

test('a job delivered twice is mailed once; the receipt is repeated and the duplicate counted', async (t) => {
  const { smtp, rabbit, worker } = await build(t)
  const sent = job('password_changed')
  await rabbit.publishJob(sent)
  await rabbit.take(rabbit.names.receipts)
  await rabbit.publishJob(sent)
  const [again] = await rabbit.take(rabbit.names.receipts)
  assert.equal(MailReceiptSchema.parse(json(again as never)).jobId, sent.id)
  assert.equal(smtp.mails.filter((m) => m.to.includes(sent.email)).length, 1)
  assert.equal(worker.stats.duplicates, 1)
})

test('with DKIM configured, mails are signed for the configured domain and selector', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authmail-dkim-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const keyFile = join(dir, 'dkim.pem')
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const dkim = { DKIM_DOMAIN: 'example.test', DKIM_SELECTOR: 'mail2026', DKIM_PRIVATE_KEY_FILE: keyFile }

  const { smtp, rabbit } = await build(t, { env: dkim })
  const sent = job('password_changed')
  await rabbit.publishJob(sent)
  const mail = await smtp.waitForMail((m) => m.to.includes(sent.email))
  const signature = mail.raw.toString().match(/^DKIM-Signature:.*(\r\n[ \t].*)*/m)?.[0] ?? ''
  assert.match(signature, /d=example\.test/)
  assert.match(signature, /s=mail2026/)
})
