import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { loggerOptions } from '@authmail/logger'
import { deleteTestTopology } from '@authmail/testing'
import Fastify from 'fastify'
import app, { serverOptions } from '../src/app.ts'
import { testEnv } from './helper.ts'
import { createUser, verifyToken } from './verification-helper.ts'

test('verification tokens never reach the logs, in the query or in the path', async (t) => {
  let logs = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk
      done()
    },
  })
  const api = Fastify({ ...serverOptions, logger: { ...loggerOptions('info', 'api'), stream } })
  const prefix = `test.${randomUUID().slice(0, 8)}.`
  await api.register(app, { env: testEnv({ QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' }) })
  await api.ready()
  t.after(async () => {
    await api.close()
    await deleteTestTopology(prefix)
  })

  const user = await createUser(api, 'quiet@example.com')
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
