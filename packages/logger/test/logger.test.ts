import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import pino from 'pino'
import { loggerOptions, redactUrl } from '../src/index.ts'

/** A logger writing JSON lines into an array. */
function capture() {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()))
      done()
    },
  })
  return { lines, log: pino(loggerOptions('info', 'test'), sink) }
}

test('passwords, tokens and codes are redacted at the top level and one level down', () => {
  const { lines, log } = capture()
  log.info(
    { password: 'hunter22', body: { token: 'eyJ.secret', new_password: 'x', code: '123456' } },
    'hello',
  )
  const text = JSON.stringify(lines)
  for (const secret of ['hunter22', 'eyJ.secret', '123456'])
    assert.ok(!text.includes(secret), `${secret} leaked`)
  assert.equal(lines[0]?.password, '[redacted]')
  assert.deepEqual(lines[0]?.body, { token: '[redacted]', new_password: '[redacted]', code: '[redacted]' })
})

test('the authorization header is redacted and request URLs lose their query and path token', () => {
  const { lines, log } = capture()
  log.info({
    req: { method: 'GET', url: '/set-password?token=eyJ.abc', headers: { authorization: 'Bearer x' } },
  })
  assert.deepEqual(lines[0]?.req, { method: 'GET', url: '/set-password' })
  assert.equal(redactUrl('/verify-email/eyJ.abc'), '/verify-email/[redacted]')
  assert.equal(redactUrl('/verify-email/code'), '/verify-email/code', 'the code route is not a token')
  assert.equal(redactUrl('/api/v1/auth/verify-email/eyJ.abc?x=1'), '/api/v1/auth/verify-email/[redacted]')
  assert.equal(redactUrl('/change-email/eyJ.abc'), '/change-email/[redacted]')
  assert.equal(redactUrl('/login/email/eyJ.abc'), '/login/email/[redacted]', 'a sign-in link token')
  assert.equal(redactUrl('/login/email'), '/login/email')
})
