import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { build, stores } from './helper.ts'

for (const store of stores()) {
  describe(`request ids (${store})`, () => {
    test('X-Request-Id is kept only when it is at most 128 safe characters', async (t) => {
      const api = await build(t, { store, env: { RESEND_COOLDOWN_SECONDS: '0' } })
      const idOfMail = async (email: string, header: string) => {
        const res = await api.inject({
          method: 'POST',
          url: '/register',
          headers: { 'x-request-id': header },
          payload: { email },
        })
        assert.equal(res.statusCode, 202)
        const { rows } = await api.db.query<{ request_id: string }>(
          "SELECT request_id FROM outbox WHERE payload->>'email' = $1",
          [email],
        )
        return rows[0]?.request_id
      }
      const safe = `proxy-1.trace:ab_C-${'x'.repeat(100)}`
      assert.equal(await idOfMail('a@example.com', safe), safe)
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
      for (const [i, bad] of ['x'.repeat(129), 'two words', 'a"}{"level":60', 'ид-1', ''].entries()) {
        const id = await idOfMail(`b${i}@example.com`, bad)
        assert.match(id ?? '', uuid, `${JSON.stringify(bad)} became ${id}`)
      }
    })
  })
}
