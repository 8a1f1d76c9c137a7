import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { createUser } from './account-fixtures.ts'
import { build } from './helper.ts'
import { verifyToken } from './verification-helper.ts'

test('verification tokens never reach the logs, in the query or in the path', async (t) => {
  let logs = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk
      done()
    },
  })
  const api = await build(t, { env: { LOG_LEVEL: 'info' }, logStream: stream })

  const user = await createUser(api, 'quiet@example.com', { verified: false })
  const { token } = verifyToken(api, user)
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  const answers = [
    await api.inject({ method: 'GET', url: `/verify-email?token=${token}` }),
    await api.inject({ method: 'GET', url: `/verify-email/${token}` }),
    await api.inject({ method: 'POST', url: `/verify-email/${token}`, headers: form, payload: '' }),
    await api.inject({ method: 'POST', url: `/api/v1/auth/verify-email/${token}` }),
  ]
  assert.deepEqual(
    answers.map((r) => r.statusCode),
    [200, 303, 200, 400],
  )
  assert.match(logs, /verify-email\/\[redacted\]/, 'the requests were logged')
  // The signature is the secret part; the header and claims alone are not a usable token.
  assert.equal(logs.includes(token.split('.')[2] ?? token), false, 'a token is in the logs')
})
