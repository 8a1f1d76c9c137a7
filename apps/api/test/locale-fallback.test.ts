import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build, outboxJobs, stores } from './helper.ts'

test('an unsupported locale falls back to Accept-Language, then DEFAULT_LOCALE, and the answer says which', async (t) => {
  const api = await build(t, { env: { DEFAULT_LOCALE: 'ru' } })
  const asked = await api.inject({
    method: 'POST',
    url: '/register',
    headers: { 'accept-language': 'xx, en;q=0.5' },
    payload: { email: 'fallback@example.com', locale: 'tlh' },
  })
  assert.equal(asked.statusCode, 202)
  assert.equal(asked.json().locale, 'en', 'from Accept-Language')
  const plain = await api.inject({
    method: 'POST',
    url: '/register',
    payload: { email: 'default@example.com', locale: 'tlh' },
  })
  assert.equal(plain.json().locale, 'ru', 'from DEFAULT_LOCALE')
  const jobs = await outboxJobs(api)
  assert.deepEqual(
    jobs.map((job) => [job.email, job.locale]),
    [
      ['fallback@example.com', 'en'],
      ['default@example.com', 'ru'],
    ],
  )
})

for (const store of stores()) {
  test(`German, French and Spanish accounts are stored (${store})`, async (t) => {
    const api = await build(t, { store })
    for (const locale of ['de', 'fr', 'es']) {
      const res = await api.inject({
        method: 'POST',
        url: '/register',
        payload: { email: `${locale}@example.com`, locale },
      })
      assert.equal(res.json().locale, locale)
      assert.equal((await api.users.findByEmail(api.db, `${locale}@example.com`))?.locale, locale)
    }
  })
}
