import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { launchBrowser } from '@authmail/testing'
import { createUser } from './account-fixtures.ts'
import { build, stores } from './helper.ts'
import { verifyToken } from './verification-helper.ts'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

for (const store of stores()) {
  describe(`the verify-email page (${store})`, () => {
    test('in Chromium: opening the link changes nothing, the button confirms, a second click says already confirmed', async (t) => {
      const api = await build(t, { store })
      const base = await api.listen({ port: 0, host: '127.0.0.1' })
      const user = await createUser(api, 'browser@example.com', { verified: false })
      const link = `${base}/verify-email?token=${encodeURIComponent(verifyToken(api, user).token)}`
      const browser = await launchBrowser()
      t.after(() => browser.close())
      const violations: string[] = []

      const first = await browser.browser.newPage()
      const second = await browser.browser.newPage()
      for (const page of [first, second]) {
        // The browser's own favicon request is the one 404 a page cannot prevent.
        page.on('console', (m) => {
          if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) violations.push(m.text())
        })
      }
      const shown = await first.goto(link)
      await second.goto(link)
      assert.equal(shown?.status(), 200)
      assert.match(
        shown?.headers()['content-security-policy'] ?? '',
        /default-src 'none'.*form-action 'self'/,
      )
      assert.equal(shown?.headers()['referrer-policy'], 'no-referrer')
      assert.equal(await first.textContent('#confirm'), 'Confirm my e-mail')
      assert.equal(
        await first.textContent('#message'),
        'Press the button to confirm that browser@example.com is your address.',
      )
      await first.reload()
      assert.equal(
        (await api.users.findById(api.db, user.id))?.email_verified_at,
        null,
        'opening the page confirms nothing',
      )

      await Promise.all([first.waitForURL(/\/verify-email\/[^?]+$/), first.click('#confirm')])
      assert.equal(await first.textContent('h1'), 'Your e-mail is confirmed')
      assert.ok((await api.users.findById(api.db, user.id))?.email_verified_at, 'the button confirms')

      // The other tab still shows the button: pressing it again must not break.
      await Promise.all([second.waitForURL(/\/verify-email\/[^?]+$/), second.click('#confirm')])
      assert.equal(await second.textContent('h1'), 'Already confirmed')
      assert.deepEqual(violations, [], 'no CSP violations or page errors')
    })

    test('GET and HEAD change nothing and do not use the link up', async (t) => {
      const api = await build(t, { store })
      const user = await createUser(api, 'scanner@example.com', { verified: false })
      const { token } = verifyToken(api, user)
      for (const method of ['GET', 'HEAD', 'GET'] as const) {
        const res = await api.inject({ method, url: `/verify-email?token=${token}` })
        assert.equal(res.statusCode, 200, method)
        assert.equal(res.headers['cache-control'], 'no-store')
      }
      assert.equal((await api.users.findById(api.db, user.id))?.email_verified_at, null)
      const { rows } = await api.db.query('SELECT 1 FROM used_tokens')
      assert.equal(rows.length, 0)
      // The confirmation URL opened with GET (reload, bookmark) leads back to the page, confirming nothing.
      const reopened = await api.inject({ method: 'GET', url: `/verify-email/${token}` })
      assert.equal(reopened.statusCode, 303)
      assert.equal(reopened.headers.location, `/verify-email?token=${token}`)
      assert.equal((await api.users.findById(api.db, user.id))?.email_verified_at, null)
      assert.equal((await api.inject({ method: 'POST', url: `/verify-email/${token}` })).statusCode, 200)
    })

    test('the page speaks the account language', async (t) => {
      const api = await build(t, { store })
      const user = await api.users.insert(api.db, {
        email: 'ru@example.com',
        passwordHash: 'x',
        locale: 'ru',
      })
      assert.ok(user)
      const res = await api.inject({
        method: 'GET',
        url: `/verify-email?token=${verifyToken(api, user).token}`,
      })
      assert.match(res.body, /Подтвердить мой e-mail/)
      assert.match(res.body, /<html lang="ru">/)
    })

    test('a bad, expired or orphaned link gets an explaining page, with a resend form where it helps', async (t) => {
      let clock = Date.now()
      const api = await build(t, { store, now: () => clock })
      const expiring = verifyToken(api, await createUser(api, 'old@example.com', { verified: false })).token
      const gone = await createUser(api, 'gone@example.com', { verified: false })
      const orphan = verifyToken(api, gone).token
      await api.db.query('DELETE FROM users WHERE id = $1', [gone.id])

      const bad = await api.inject({ method: 'GET', url: '/verify-email?token=%3Cscript%3E' })
      assert.equal(bad.statusCode, 401)
      assert.match(bad.body, /The link is damaged/)
      assert.match(bad.body, /action="\/resend-verification"/)
      assert.doesNotMatch(bad.body, /<script>/)

      const missing = await api.inject({ method: 'GET', url: '/verify-email' })
      assert.equal(missing.statusCode, 401)

      const orphaned = await api.inject({ method: 'GET', url: `/verify-email?token=${orphan}` })
      assert.equal(orphaned.statusCode, 404)
      assert.doesNotMatch(orphaned.body, /resend-verification/)

      clock += (api.env.VERIFY_EMAIL_TTL + 60) * 1000
      const expired = await api.inject({
        method: 'POST',
        url: `/verify-email/${expiring}`,
        headers: FORM,
        payload: '',
      })
      assert.equal(expired.statusCode, 401)
      assert.match(expired.body, /The link has expired/)
      assert.match(String(expired.headers['content-type']), /text\/html/)
    })
  })
}
