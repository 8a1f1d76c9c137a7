import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { build, collectJobs, outboxJobs, stores } from './helper.ts'

const recover = (api: FastifyInstance, email: string) =>
  api.inject({ method: 'POST', url: '/recover-password', payload: { email } })

for (const store of stores()) {
  describe(`recover-password (${store})`, () => {
    test('a known address gets a reset job, an unknown one a "no account" job, with identical answers', async (t) => {
      const api = await build(t, { store })
      const collector = await collectJobs(t, api)
      await api.inject({ method: 'POST', url: '/register', payload: { email: 'known@example.com' } })
      await collector.waitFor(1)
      const known = await recover(api, 'known@example.com')
      const unknown = await recover(api, 'other@example.com')
      assert.equal(known.statusCode, 202)
      assert.equal(unknown.statusCode, 202)
      assert.equal(known.body, unknown.body)
      const jobs = await collector.waitFor(3)
      assert.deepEqual(
        jobs
          .slice(1)
          .map((j) => [j.type, j.email])
          .sort(),
        [
          ['no_account', 'other@example.com'],
          ['reset_password', 'known@example.com'],
        ],
      )
    })

    test('a second request inside the cooldown answers the same and sends no second mail', async (t) => {
      const api = await build(t, { store })
      const first = await recover(api, 'flood@example.com')
      const second = await recover(api, 'FLOOD@example.com')
      assert.equal(first.body, second.body)
      assert.deepEqual(
        (await outboxJobs(api)).map((j) => [j.type, j.email]),
        [['no_account', 'flood@example.com']],
      )
    })

    test('the page asks for the address and its form gets a "check your inbox" page', async (t) => {
      const api = await build(t, { store })
      const collector = await collectJobs(t, api)
      const page = await api.inject({
        method: 'GET',
        url: '/recover-password',
        headers: { 'accept-language': 'ru,en;q=0.5' },
      })
      assert.equal(page.statusCode, 200)
      assert.match(page.body, /Забыли пароль\?/)
      assert.match(page.body, /<form method="post" action="\/recover-password">/)
      const posted = await api.inject({
        method: 'POST',
        url: '/recover-password',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=%3Cb%3Eme%40example.com',
      })
      assert.equal(posted.statusCode, 422, 'not an address: refused')
      const ok = await api.inject({
        method: 'POST',
        url: '/recover-password',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=me%40example.com',
      })
      assert.equal(ok.statusCode, 202)
      assert.match(ok.body, /Check your inbox/)
      const [job] = await collector.waitFor(1)
      assert.equal(job?.type, 'no_account')
    })

    test('malformed JSON is 400, an invalid address 422 with the field, an oversized body 413', async (t) => {
      const api = await build(t, { store })
      const bad = await api.inject({
        method: 'POST',
        url: '/recover-password',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":',
      })
      assert.equal(bad.statusCode, 400)
      assert.equal(bad.json().error.code, 'MALFORMED_JSON')
      const invalid = await recover(api, 'not-an-address')
      assert.equal(invalid.statusCode, 422)
      assert.deepEqual(
        { code: invalid.json().error.code, field: invalid.json().error.field },
        { code: 'VALIDATION_ERROR', field: 'email' },
      )
      const huge = await api.inject({
        method: 'POST',
        url: '/recover-password',
        payload: { email: `${'a'.repeat(20_000)}@example.com` },
      })
      assert.equal(huge.statusCode, 413)
      assert.equal(huge.json().error.code, 'PAYLOAD_TOO_LARGE')
      const { rows } = await api.db.query('SELECT 1 FROM outbox')
      assert.equal(rows.length, 0, 'bad input changes nothing')
    })
  })
}
