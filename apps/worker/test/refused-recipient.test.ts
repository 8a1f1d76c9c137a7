import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SignedMailReceiptSchema } from '@authmail/contracts'
import { json } from '@authmail/testing'
import { createReceiptSeal } from '@authmail/tokens'
import { build, job } from './helper.ts'

test('a recipient the server does not have (550 5.1.1 at RCPT) gets a signed receipt that says so', async (t) => {
  const { env, smtp, rabbit } = await build(t)
  const gone = job('verify_email', { email: 'gone@example.com' })
  const present = job('verify_email', { email: 'present@example.com' })
  smtp.unknownRecipient(gone.email)
  await rabbit.publishJob(gone)
  await rabbit.publishJob(present)

  await smtp.waitForMail((m) => m.to.includes(present.email))
  const receipts = (await rabbit.take(rabbit.names.receipts, 2, 8000)).map((m) =>
    SignedMailReceiptSchema.parse(json(m)),
  )
  const refused = receipts.find((r) => r.jobId === gone.id)
  const sent = receipts.find((r) => r.jobId === present.id)
  assert.ok(refused)
  assert.equal(refused.status, 'failed')
  assert.equal(refused.recipientRefused, true)
  assert.match(refused.error ?? '', /550 5\.1\.1/)
  const { signature, ...fields } = refused
  assert.ok(createReceiptSeal(env.JWT_SECRET).verify(fields, signature), 'the flag is under the seal')
  assert.equal(sent?.status, 'sent')
  assert.equal('recipientRefused' in (sent ?? {}), false, 'a sent receipt carries no flag')
  assert.equal(smtp.counts.rcpt, 2, 'the refusal is not retried')
})
