import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LOCALES } from '@authmail/contracts'
import { MAIL_KINDS } from '@authmail/emails'
import { bearerFor, createUser } from './account-fixtures.ts'
import { build } from './helper.ts'

test('an admin previews every kind in every language, as HTML and as text', async (t) => {
  const api = await build(t, { env: { APP_NAME: 'Orbit' } })
  const admin = bearerFor(api, await createUser(api, 'admin@example.com', { verified: true, role: 'admin' }))
  for (const kind of MAIL_KINDS) {
    for (const locale of LOCALES) {
      const html = await api.inject({ url: `/admin/mail-preview/${kind}?locale=${locale}`, headers: admin })
      assert.equal(html.statusCode, 200, `${kind} ${locale}: ${html.body}`)
      assert.match(String(html.headers['content-type']), /^text\/html/)
      assert.match(html.body, new RegExp(`<html lang="${locale}">`))
      assert.match(html.body, /Orbit/)
      assert.match(decodeURIComponent(String(html.headers['x-mail-subject'])), /Orbit/)
      const text = await api.inject({
        url: `/admin/mail-preview/${kind}?locale=${locale}&part=text`,
        headers: admin,
      })
      assert.equal(text.statusCode, 200)
      assert.match(String(text.headers['content-type']), /^text\/plain/)
      assert.doesNotMatch(text.body, /<[a-z]/i, 'the text part has no markup')
    }
  }
  const unknown = await api.inject({ url: '/admin/mail-preview/newsletter', headers: admin })
  assert.equal(unknown.statusCode, 422)
})

test('sample links open the pages real links open, with a token of the real length that verifies nowhere', async (t) => {
  const api = await build(t)
  const admin = await createUser(api, 'admin@example.com', { verified: true, role: 'admin' })
  const expected = {
    set_password: ['/set-password', 'set_password'],
    verify_email: ['/verify-email', 'verify_email'],
    reset_password: ['/set-password', 'reset_password'],
    unverified_reminder: ['/verify-email', 'verify_email'],
  } as const
  for (const [kind, [path, purpose]] of Object.entries(expected)) {
    const res = await api.inject({
      url: `/admin/mail-preview/${kind}?part=text`,
      headers: bearerFor(api, admin),
    })
    const href = res.body.match(/https?:\/\/\S+/)?.[0] ?? ''
    const url = new URL(href)
    assert.equal(`${url.origin}${url.pathname}`, `${api.env.PUBLIC_BASE_URL}${path}`, kind)
    const sample = url.searchParams.get('token') ?? ''
    const real = api.tokens.sign(purpose, { sub: admin.id, ver: 0, email: admin.email }).token
    assert.equal(sample.length, real.length, `${kind}: the sample token is as long as a real one`)
    const page = await api.inject({ url: `${url.pathname}${url.search}` })
    assert.equal(page.statusCode, 401, `${kind}: it opens nothing`)
    assert.match(page.body, /link does not work/)
  }
})

test('the preview is for admins: 403 for a user, 401 without a token', async (t) => {
  const api = await build(t)
  const user = bearerFor(api, await createUser(api, 'user@example.com', { verified: true }))
  const res = await api.inject({ url: '/admin/mail-preview/verify_email', headers: user })
  assert.equal(res.statusCode, 403)
  assert.equal(res.json().error.code, 'AUTH_FORBIDDEN')
  const anonymous = await api.inject({ url: '/admin/mail-preview/verify_email' })
  assert.equal(anonymous.statusCode, 401)
})
