import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LOCALES, type Locale } from '@authmail/contracts'
import { type LaunchedBrowser, launchBrowser } from '@authmail/testing'
import type { FastifyInstance } from 'fastify'
import { emailChanges } from '../src/email-change/email-changes-repository.ts'
import { movableClock } from './account-fixtures.ts'
import { build } from './helper.ts'

const WIDTHS = [375, 800]

type Page = Awaited<ReturnType<LaunchedBrowser['browser']['newPage']>>

async function account(api: FastifyInstance, email: string, locale: Locale, verified = false) {
  const user = await api.users.insert(api.db, { email, passwordHash: null, locale, verified })
  assert.ok(user)
  return user
}

const link = (
  api: FastifyInstance,
  purpose: 'set_password' | 'verify_email',
  user: { id: string; email: string; credential_version: number },
) =>
  encodeURIComponent(
    api.tokens.sign(purpose, { sub: user.id, ver: user.credential_version, email: user.email }).token,
  )

/** Each page a person can reach, by the steps that reach it in a browser; `h1` is what it must show. */
function journeys(
  api: FastifyInstance,
  clock: ReturnType<typeof movableClock>,
  locale: Locale,
  width: number,
) {
  const tag = `${locale}-${width}`
  // A long address: the narrowest phone must wrap it, not scroll.
  const long = `someone.with.a.rather.long.name.${tag}@subdomain.example-company.com`
  return {
    'set-password form, then password set': async (page: Page) => {
      const user = await account(api, `set-${long}`, locale)
      await page.goto(`/set-password?token=${link(api, 'set_password', user)}`)
      await check(page)
      await page.fill('#password', 'a long and unusual passphrase')
      await page.fill('#password_confirm', 'a long and unusual passphrase')
      await Promise.all([page.waitForURL('**/set-password'), page.click('button[type=submit]')])
    },
    'expired link with the address prefilled': async (page: Page) => {
      const user = await account(api, `expired-${long}`, locale)
      const token = link(api, 'set_password', user)
      clock.advance(3 * 86_400)
      await page.goto(`/set-password?token=${token}`)
      assert.equal(await page.inputValue('#email'), user.email)
    },
    'verify form, confirmed, then already confirmed': async (page: Page) => {
      const user = await account(api, `verify-${long}`, locale)
      const token = link(api, 'verify_email', user)
      await page.goto(`/verify-email?token=${token}`)
      await check(page)
      await Promise.all([page.waitForURL(/\/verify-email\/[^?]+$/), page.click('#confirm')])
      await check(page)
      await page.goto(`/verify-email?token=${token}`)
      assert.equal(await page.locator('html').getAttribute('lang'), locale, 'the account language')
    },
    'change of address: confirm page, changed, revert page, address back, a used link': async (
      page: Page,
    ) => {
      const user = await account(api, `mover-${long}`, locale, true)
      await api.db.transaction((tx) => api.emailChange.request(tx, user, `moved-${long}`, 'test', api.log))
      const [change] = await emailChanges.pendingFor(api.db, user.id, new Date(clock.now()).toISOString())
      assert.ok(change)
      const sign = (purpose: 'change_email' | 'revert_email', email: string, jti: string) =>
        encodeURIComponent(
          api.tokens.sign(purpose, { sub: user.id, ver: user.credential_version, email, jti }).token,
        )
      const changeToken = sign('change_email', change.new_email, change.id)
      await page.goto(`/change-email?token=${changeToken}`)
      await check(page)
      await Promise.all([page.waitForURL(/\/change-email\/[^?]+$/), page.click('#confirm')])
      await check(page)
      assert.equal(await page.locator('html').getAttribute('lang'), locale)
      const revertId = (await emailChanges.find(api.db, change.id))?.revert_id
      assert.ok(revertId)
      await page.goto(`/revert-email?token=${sign('revert_email', user.email, revertId)}`)
      await check(page)
      await Promise.all([page.waitForURL('**/revert-email'), page.click('#confirm')])
      await check(page)
      await page.goto(`/change-email?token=${changeToken}`)
    },
    'recover form, check inbox, invalid address, resend wait': async (page: Page) => {
      await page.goto('/recover-password')
      await check(page)
      await page.fill('#email', `recover-${long}`)
      await Promise.all([page.waitForURL('**/recover-password'), page.click('button[type=submit]')])
      await check(page)
      await page.goto('/recover-password')
      await page.fill('#email', 'a@b')
      await Promise.all([page.waitForURL('**/recover-password'), page.click('button[type=submit]')])
      await check(page)
      assert.equal(await page.inputValue('#email'), 'a@b')
      const verifier = await account(api, `wait-${long}`, locale)
      for (let i = 0; i < 2; i++) {
        await page.goto('/verify-email?token=garbage')
        await check(page)
        await page.fill('#email', verifier.email)
        await Promise.all([page.waitForURL('**/resend-verification'), page.click('button[type=submit]')])
      }
      assert.ok((await page.textContent('#message'))?.match(/\d \p{L}/u), 'the wait in words')
    },
  }
}

/** What every page must hold: no sideways scroll, and a heading. */
async function check(page: Page) {
  const { scrollWidth, innerWidth } = (await page.evaluate(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  )) as { scrollWidth: number; innerWidth: number }
  assert.ok(scrollWidth <= innerWidth, `${page.url()} is ${scrollWidth} px wide in ${innerWidth} px`)
  assert.ok((await page.textContent('h1'))?.trim(), `${page.url()} has a heading`)
}

test('every page in every language fits 375 and 800 px with no console error or failed request', async (t) => {
  const clock = movableClock()
  const api = await build(t, { now: clock.now, env: { APP_URL: 'https://app.example/' } })
  const base = await api.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launchBrowser()
  t.after(() => browser.close())
  let pages = 0
  for (const locale of LOCALES) {
    for (const width of WIDTHS) {
      const context = await browser.browser.newContext({
        baseURL: base,
        locale,
        viewport: { width, height: 800 },
      })
      const problems: string[] = []
      for (const [name, walk] of Object.entries(journeys(api, clock, locale, width))) {
        const page = await context.newPage()
        // Chromium logs a page answered 4xx (an error page is one) as a console error: only those are expected.
        const errorDocuments = new Set<string>()
        page.on('console', (m) => {
          if (m.type() === 'error' && !errorDocuments.has(m.location().url))
            problems.push(`${name}: console: ${m.text()} (${m.location().url})`)
        })
        page.on('requestfailed', (r) => problems.push(`${name}: failed: ${r.url()}`))
        page.on('response', (r) => {
          // A 4xx/429 page is the answer a journey expects; what it loads (css, icon) must not fail.
          if (r.status() < 400) return
          if (r.request().resourceType() === 'document') errorDocuments.add(r.url())
          else problems.push(`${name}: ${r.status()} ${r.url()}`)
        })
        page.on('load', () => {
          pages++
        })
        await walk(page)
        await check(page)
        await page.close()
      }
      await context.close()
      assert.deepEqual(problems, [], `${locale} at ${width} px`)
    }
  }
  assert.ok(pages >= 40, `walked ${pages} pages`)
})
