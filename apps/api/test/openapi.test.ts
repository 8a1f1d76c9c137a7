import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from './helper.ts'

interface Operation {
  operationId: string
  security: unknown[]
  servers?: { url: string }[]
  parameters?: { name: string; in: string }[]
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>
}
interface Schema {
  properties?: Record<string, Schema>
  enum?: unknown[]
}

/** The error codes a response's envelope lists. */
const codes = (op: Operation, status: string) =>
  op.responses[status]?.content?.['application/json']?.schema.properties?.error?.properties?.code?.enum

test('/openapi.json lists every route once, with real statuses, error codes and security', async (t) => {
  const api = await build(t)
  const res = await api.inject({ method: 'GET', url: '/openapi.json' })
  assert.equal(res.statusCode, 200)
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, Operation>> }
  assert.match(doc.openapi, /^3\./)

  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  )
  assert.deepEqual(operations.sort(), [
    'DELETE /me',
    'DELETE /me/sessions/{id}',
    'DELETE /suppressions/{email}',
    'DELETE /users/{id}',
    'GET /admin/mail-preview/{kind}',
    'GET /change-email',
    'GET /change-email/{token}',
    'GET /healthz',
    'GET /me',
    'GET /me/export',
    'GET /me/sessions',
    'GET /metrics',
    'GET /openapi.json',
    'GET /readyz',
    'GET /recover-password',
    'GET /revert-email',
    'GET /set-password',
    'GET /suppressions',
    'GET /users',
    'GET /users/{id}',
    'GET /verify-email',
    'GET /verify-email/{token}',
    'PATCH /me',
    'PATCH /users/{id}',
    'POST /change-email/{token}',
    'POST /login',
    'POST /login/code',
    'POST /login/email',
    'POST /login/email/{token}',
    'POST /logout',
    'POST /me/email',
    'POST /me/email/code',
    'POST /me/password',
    'POST /recover-password',
    'POST /register',
    'POST /resend-verification',
    'POST /revert-email',
    'POST /set-password',
    'POST /token/refresh',
    'POST /users',
    'POST /users/{id}/resend-verification',
    'POST /users/{id}/send-reset',
    'POST /verify-email/code',
    'POST /verify-email/{token}',
    'POST /webhooks/bounces',
  ])
  assert.ok(!operations.some((op) => op.includes('*')), 'no wildcard paths')
  const all = Object.values(doc.paths).flatMap((item) => Object.values(item))
  assert.equal(new Set(all.map((op) => op.operationId)).size, all.length, 'operationIds are unique')

  const register = doc.paths['/register']?.post
  assert.ok(register)
  assert.deepEqual(Object.keys(register.responses).sort(), [
    '202',
    '400',
    '413',
    '415',
    '422',
    '429',
    '500',
    '503',
  ])
  assert.deepEqual(codes(register, '429'), ['RATE_LIMITED'])
  assert.deepEqual(codes(register, '400'), ['BAD_REQUEST', 'MALFORMED_JSON'])
  assert.deepEqual(register.security, [])
  // The /api/v1/auth copy is a second server of the same operation, not a second path.
  assert.deepEqual(
    register.servers?.map((s) => s.url),
    ['/', '/api/v1/auth'],
  )
  assert.equal(doc.paths['/set-password']?.get?.servers, undefined, 'the pages have no alias')

  const resend = doc.paths['/resend-verification']?.post
  assert.deepEqual(codes(resend as Operation, '429'), ['RATE_LIMITED', 'AUTH_EMAIL_RESEND_COOLDOWN'])
  assert.ok(resend?.responses['202']?.content?.['text/html'], 'a form post gets a page')

  const verify = doc.paths['/verify-email/{token}']?.post
  assert.deepEqual(
    verify?.parameters?.map((p) => [p.in, p.name]),
    [['path', 'token']],
  )
  assert.deepEqual(codes(verify as Operation, '401'), [
    'AUTH_INVALID_TOKEN',
    'AUTH_TOKEN_EXPIRED',
    'AUTH_TOKEN_USED',
  ])

  assert.deepEqual(doc.paths['/me']?.get?.security, [{ bearer: [] }])
  assert.deepEqual(doc.paths['/webhooks/bounces']?.post?.security, [{ bounceSecret: [] }])
  assert.deepEqual(codes(doc.paths['/webhooks/bounces']?.post as Operation, '401'), ['AUTH_INVALID_TOKEN'])
  const changeEmail = doc.paths['/me/email']?.post
  assert.deepEqual(changeEmail?.security, [{ bearer: [] }])
  assert.ok(changeEmail?.responses['202'])
  assert.deepEqual(
    changeEmail?.servers?.map((s) => s.url),
    ['/', '/api/v1/auth'],
  )
  assert.deepEqual(codes(doc.paths['/change-email/{token}']?.post as Operation, '409'), ['AUTH_EMAIL_TAKEN'])
  assert.ok(
    doc.paths['/revert-email']?.post?.responses['200']?.content?.['text/html'],
    'a form post gets a page',
  )
  assert.deepEqual(doc.paths['/users/{id}']?.delete?.security, [{ bearer: [] }])
  assert.ok(doc.paths['/users/{id}']?.delete?.responses['204'])
  assert.deepEqual(codes(doc.paths['/users/{id}']?.delete as Operation, '409'), ['LAST_ADMIN'])
  assert.deepEqual(codes(doc.paths['/me']?.delete as Operation, '409'), ['LAST_ADMIN'])
  assert.deepEqual(codes(doc.paths['/me/sessions/{id}']?.delete as Operation, '404'), ['NOT_FOUND'])
  const exported = doc.paths['/me/export']?.get?.responses['200']?.content?.['application/json'] as {
    schema: { properties: Record<string, unknown> }
  }
  for (const section of ['profile', 'sessions', 'mails_sent', 'mails_queued']) {
    assert.ok(exported.schema.properties[section], `the export schema documents ${section}`)
  }
  assert.ok(doc.paths['/login']?.post?.responses['200']?.content?.['application/json'])
  assert.deepEqual(codes(doc.paths['/login/code']?.post as Operation, '401'), ['AUTH_INVALID_LOGIN_CODE'])
  assert.ok(doc.paths['/login/email']?.post?.responses['202'])
  assert.ok(doc.paths['/users']?.post?.responses['201'])
  assert.deepEqual(codes(doc.paths['/users']?.post as Operation, '409'), ['EMAIL_TAKEN'])
  assert.deepEqual(doc.paths['/users/{id}/send-reset']?.post?.security, [{ bearer: [] }])
  assert.ok(doc.paths['/verify-email']?.get?.responses['200']?.content?.['text/html'])
  assert.ok(doc.paths['/metrics']?.get?.responses['200']?.content?.['text/plain'])

  // The alias still answers, and the token route takes a whole JWT as its parameter.
  const aliased = await api.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: 'alias@example.com' },
  })
  assert.equal(aliased.statusCode, 202)
  const longToken = `${'a'.repeat(300)}.${'b'.repeat(300)}.${'c'.repeat(40)}`
  const bad = await api.inject({ method: 'POST', url: `/verify-email/${longToken}`, payload: {} })
  assert.equal(bad.statusCode, 401)
  assert.equal(bad.json().error.code, 'AUTH_INVALID_TOKEN')

  const ui = await api.inject({ method: 'GET', url: '/docs' })
  assert.ok(ui.statusCode === 200 || ui.statusCode === 302, `/docs answers ${ui.statusCode}`)
})
