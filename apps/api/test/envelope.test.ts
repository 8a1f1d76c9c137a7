import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { build } from './helper.ts'

/** The one error shape of DESIGN §6, exactly: no more keys, no fewer. */
function assertEnvelope(res: LightMyRequestResponse, where: string) {
  assert.match(String(res.headers['content-type']), /^application\/json/, where)
  const body = res.json()
  assert.deepEqual(Object.keys(body), ['error'], where)
  const { error } = body
  assert.deepEqual(Object.keys(error).sort(), ['code', 'details', 'field', 'message'], where)
  assert.match(error.code, /^[A-Z][A-Z_]+$/, where)
  assert.equal(typeof error.message, 'string', where)
  assert.ok(error.message.length > 0, where)
  assert.ok(error.field === null || typeof error.field === 'string', where)
  assert.equal(typeof error.details, 'object', where)
  assert.notEqual(error.details, null, where)
  return error as { code: string; field: string | null; message: string; details: Record<string, unknown> }
}

/** Every documented JSON route, at each of its servers, with its path parameters filled in. */
function routes(api: FastifyInstance): { method: string; url: string }[] {
  type Operation = { tags?: string[]; servers?: { url: string }[] }
  const spec = api.swagger() as { paths: Record<string, Record<string, Operation>> }
  return Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      // HTML pages and probes take no input that could be wrong.
      .filter(([, op]) => !op.tags?.some((tag) => tag === 'pages' || tag === 'operations'))
      .flatMap(([method, op]) =>
        (op.servers ?? [{ url: '/' }]).map((server) => ({
          method: method.toUpperCase(),
          url: `${server.url === '/' ? '' : server.url}${path}`
            .replace('{token}', 'not-a-token')
            .replace('{id}', '00000000-0000-4000-8000-000000000000'),
        })),
      ),
  )
}

describe('the error envelope', () => {
  test('every documented route answers errors in the envelope: no token, malformed JSON, empty body', async (t) => {
    const api = await build(t)
    const all = routes(api)
    assert.ok(all.length >= 20, `found ${all.length} routes`)
    assert.ok(all.some((r) => r.url === '/api/v1/auth/resend-verification'))
    for (const { method, url } of all) {
      const attempts = [
        api.inject({ method: method as 'GET', url }),
        api.inject({
          method: method as 'GET',
          url,
          headers: { 'content-type': 'application/json' },
          payload: '{"email":',
        }),
        api.inject({ method: method as 'GET', url, payload: {} }),
      ]
      const errors = (await Promise.all(attempts)).filter((res) => res.statusCode >= 400)
      assert.ok(errors.length > 0, `${method} ${url} accepted every bad request`)
      for (const res of errors) {
        const error = assertEnvelope(res, `${method} ${url} → ${res.statusCode}`)
        if (error.code === 'VALIDATION_ERROR') assert.equal(res.statusCode, 422)
      }
    }
  })

  test('validation errors are 422 with the field; malformed JSON 400; oversized 413; unknown route 404', async (t) => {
    const api = await build(t, { env: { BODY_LIMIT_BYTES: '1024' } })
    const url = '/api/v1/auth/resend-verification'

    const invalid = await api.inject({ method: 'POST', url, payload: { email: 'nope' } })
    assert.equal(invalid.statusCode, 422)
    assert.deepEqual(
      [assertEnvelope(invalid, 'invalid').code, assertEnvelope(invalid, 'invalid').field],
      ['VALIDATION_ERROR', 'email'],
    )

    const malformed = await api.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: '{',
    })
    assert.deepEqual(
      [malformed.statusCode, assertEnvelope(malformed, 'malformed').code],
      [400, 'MALFORMED_JSON'],
    )

    const large = await api.inject({
      method: 'POST',
      url,
      payload: { email: `${'a'.repeat(2000)}@example.com` },
    })
    assert.deepEqual([large.statusCode, assertEnvelope(large, 'large').code], [413, 'PAYLOAD_TOO_LARGE'])

    const missing = await api.inject({ method: 'POST', url: '/api/v1/auth/nothing-here' })
    assert.deepEqual([missing.statusCode, assertEnvelope(missing, 'missing').code], [404, 'NOT_FOUND'])
  })

  test('the 429s say how long to wait: the per-address cooldown and the per-IP limit', async (t) => {
    const api = await build(t, { env: { IP_RATE_LIMIT_PER_MINUTE: '2' } })
    const url = '/resend-verification'
    await api.inject({ method: 'POST', url, payload: { email: 'twice@example.com' } })
    const res = await api.inject({ method: 'POST', url, payload: { email: 'twice@example.com' } })
    const error = assertEnvelope(res, 'cooldown')
    assert.equal(res.statusCode, 429)
    assert.equal(error.field, null)
    assert.equal(typeof error.details.wait_seconds, 'number')
    assert.equal(
      error.message,
      `Please wait ${error.details.wait_seconds} seconds before requesting a new verification email`,
    )

    const limited = await api.inject({ method: 'POST', url, payload: { email: 'third@example.com' } })
    assert.equal(limited.statusCode, 429)
    const ip = assertEnvelope(limited, 'ip limit')
    assert.equal(ip.code, 'RATE_LIMITED')
    assert.equal(typeof ip.details.retry_after_seconds, 'number')
  })
})
