import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { linkPurposeOf, MailJobSchema, MailReceiptSchema, topologyNames } from '../src/index.ts'

const job = {
  id: randomUUID(),
  email: 'a@example.com',
  locale: 'en',
  userId: randomUUID(),
  credentialVersion: 0,
}

test('a mail job parses by its type and carries the purpose of its link', () => {
  const parsed = MailJobSchema.parse({ ...job, type: 'reset_password' })
  assert.equal(parsed.type, 'reset_password')
  assert.equal(linkPurposeOf(parsed), 'reset_password')
  const reminder = MailJobSchema.parse({
    ...job,
    type: 'unverified_reminder',
    deleteAt: new Date().toISOString(),
  })
  assert.equal(
    linkPurposeOf(reminder),
    'verify_email',
    'a reminder links to confirmation unless told otherwise',
  )
  assert.equal(linkPurposeOf(MailJobSchema.parse({ ...job, type: 'account_exists' })), null)
})

test('change-of-address jobs name the row their link stands for, never in place of the address', () => {
  const change = MailJobSchema.parse({ ...job, type: 'email_change', changeId: randomUUID() })
  assert.equal(linkPurposeOf(change), 'change_email')
  const changed = MailJobSchema.parse({
    ...job,
    type: 'email_changed',
    revertId: randomUUID(),
    newEmail: 'b@example.com',
  })
  assert.equal(linkPurposeOf(changed), 'revert_email')
  assert.equal(linkPurposeOf(MailJobSchema.parse({ ...job, type: 'email_change_taken' })), null)
  assert.equal(MailJobSchema.safeParse({ ...job, type: 'email_change' }).success, false, 'no change id')
})

test('a mail job with an unknown type, a bad address or a missing field is refused', () => {
  assert.equal(MailJobSchema.safeParse({ ...job, type: 'launch_missiles' }).success, false)
  assert.equal(
    MailJobSchema.safeParse({ ...job, type: 'verify_email', email: 'not-an-address' }).success,
    false,
  )
  assert.equal(MailJobSchema.safeParse({ ...job, type: 'verify_email', locale: 'xx' }).success, false)
  const { userId: _, ...withoutUser } = job
  assert.equal(MailJobSchema.safeParse({ ...withoutUser, type: 'set_password' }).success, false)
})

test('a receipt must say sent or failed, with ISO times', () => {
  const receipt = {
    jobId: randomUUID(),
    type: 'verify_email',
    userId: randomUUID(),
    email: 'a@example.com',
    purpose: 'verify_email',
    tokenId: randomUUID(),
    tokenExpiresAt: new Date().toISOString(),
    status: 'sent',
    at: new Date().toISOString(),
    error: null,
  }
  assert.equal(MailReceiptSchema.safeParse(receipt).success, true)
  assert.equal(MailReceiptSchema.safeParse({ ...receipt, status: 'maybe' }).success, false)
  assert.equal(MailReceiptSchema.safeParse({ ...receipt, at: 'yesterday' }).success, false)
  // The refusal flag is there only when true; a receipt without it parses without it (its seal unchanged).
  const failed = { ...receipt, status: 'failed', error: '550 5.1.1 User unknown', recipientRefused: true }
  assert.equal(MailReceiptSchema.parse(failed).recipientRefused, true)
  assert.equal(MailReceiptSchema.safeParse({ ...failed, recipientRefused: false }).success, false)
  assert.equal('recipientRefused' in MailReceiptSchema.parse(receipt), false)
})

test('queue names carry the prefix and retry queues are named after their delays', () => {
  const names = topologyNames('t.', [500, 10_000, 60_000])
  assert.equal(names.jobs, 't.mail.jobs')
  assert.equal(names.exchange, 't.authmail')
  assert.deepEqual(
    names.retries.map((r) => r.name),
    ['t.mail.jobs.retry.500ms', 't.mail.jobs.retry.10s', 't.mail.jobs.retry.1m'],
  )
  assert.deepEqual(
    topologyNames().retries.map((r) => r.name),
    ['mail.jobs.retry.10s', 'mail.jobs.retry.1m', 'mail.jobs.retry.10m'],
  )
})
