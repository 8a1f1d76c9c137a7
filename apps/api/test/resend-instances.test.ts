import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build, freshDatabase } from './helper.ts'

// Two api processes share PostgreSQL; PGlite is embedded in one process, so there is nothing to share.
test('the resend cooldown holds across two api instances sharing one database', {
  skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (PostgreSQL)',
}, async (t) => {
  const databaseUrl = await freshDatabase(t)
  const [one, two] = await Promise.all([build(t, { databaseUrl }), build(t, { databaseUrl })])
  const resend = (api: typeof one, email: string) =>
    api.inject({ method: 'POST', url: '/api/v1/auth/resend-verification', payload: { email } })

  assert.equal((await resend(one, 'shared@example.com')).statusCode, 202)
  const other = await resend(two, 'shared@EXAMPLE.com')
  assert.equal(other.statusCode, 429)
  assert.equal(other.json().error.code, 'AUTH_EMAIL_RESEND_COOLDOWN')

  // Racing on both instances for a fresh address: exactly one request wins the slot.
  const answers = await Promise.all(
    Array.from({ length: 10 }, (_, i) => resend(i % 2 ? one : two, 'race@example.com')),
  )
  assert.deepEqual(answers.map((r) => r.statusCode).sort(), [202, ...Array(9).fill(429)])
})
