import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { build, collectJobs, stores } from './helper.ts'

for (const store of stores()) {
  describe(`register (${store})`, () => {
    test('a new address without a password gets a set-password job', async (t) => {
      const api = await build(t, { store })
      const collector = await collectJobs(t, api)
      const res = await api.inject({
        method: 'POST',
        url: '/register',
        payload: { email: ' New.User@Example.COM ' },
      })
      assert.equal(res.statusCode, 202)
      assert.deepEqual(res.json(), {
        message: 'Check your inbox: we sent a link to continue',
        email: 'New.User@example.com',
        resend_after_seconds: 300,
      })
      const [job] = await collector.waitFor(1)
      assert.equal(job?.type, 'set_password')
      assert.equal(job?.email, 'New.User@example.com')
    })
  })
}
