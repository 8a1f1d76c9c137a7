import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { AuthmailEventSchema, EVENT_TYPES, topologyNames } from '../src/index.ts'

const EVENTS_DOC = join(import.meta.dirname, '../../../docs/events.md')

test('the nine event types, and the exchange and webhook queues under the prefix', () => {
  assert.deepEqual([...EVENT_TYPES].sort(), [
    'mail.failed',
    'mail.sent',
    'mail.suppressed',
    'user.deleted',
    'user.email_changed',
    'user.email_verified',
    'user.password_changed',
    'user.registered',
    'user.signed_in',
  ])
  const names = topologyNames('p.', [500, 60_000])
  assert.equal(names.events, 'p.authmail.events')
  assert.deepEqual(
    names.webhookRetries.map((r) => r.name),
    ['p.webhooks.retry.500ms', 'p.webhooks.retry.1m'],
  )
})

test('every example in docs/events.md is a valid event, and every type has one', () => {
  const blocks = [...readFileSync(EVENTS_DOC, 'utf8').matchAll(/```json\n([\s\S]*?)```/g)]
  const examples = blocks.map((block) => AuthmailEventSchema.parse(JSON.parse(block[1] as string)))
  assert.deepEqual([...new Set(examples.map((e) => e.type))].sort(), [...EVENT_TYPES].sort())
})

test('an event whose data does not fit its type is refused', () => {
  const event = {
    id: '0b0e5c1e-8f6a-4f7e-9d55-2f1c6f3b9a10',
    type: 'user.signed_in',
    occurred_at: '2026-11-21T14:02:11.482Z',
    user_id: '5f1d7c3a-2b4e-4c61-9a0f-7e8d9c6b5a43',
    data: { method: 'password' },
  }
  assert.ok(AuthmailEventSchema.safeParse(event).success)
  assert.equal(AuthmailEventSchema.safeParse({ ...event, data: { method: 'refresh' } }).success, false)
  assert.equal(
    AuthmailEventSchema.safeParse({ ...event, user_id: null }).success,
    false,
    'a user event names its user',
  )
  assert.equal(AuthmailEventSchema.safeParse({ ...event, type: 'user.unknown' }).success, false)
})
