import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LOCALES } from '@authmail/contracts'
import { MAIL_KINDS } from '@authmail/emails'
import { launchBrowser } from '@authmail/testing'
import { createComposer } from '../src/compose.ts'
import { COMPOSE_ENV, job, testTokens } from './helper.ts'

const compose = createComposer(COMPOSE_ENV, testTokens())

test('every mail kind in every language fits 375 and 800 px in Chromium, with no console error or request', async (t) => {
  const browser = await launchBrowser()
  t.after(() => browser.close())
  const problems: string[] = []
  let shown = 0
  for (const width of [375, 800]) {
    const page = await browser.browser.newPage({ viewport: { width, height: 800 } })
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`)
    })
    // A mail loads nothing: any request at all is a defect (tracking, remote fonts or images).
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && r.url() !== 'about:blank') problems.push(`request: ${r.url()}`)
    })
    for (const kind of MAIL_KINDS) {
      for (const locale of LOCALES) {
        const mail = compose(
          job(kind, { locale, email: `a.rather.long.address.${kind}@subdomain.example-company.com` }),
        )
        await page.setContent(mail.html)
        const { scrollWidth, innerWidth } = (await page.evaluate(
          '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
        )) as { scrollWidth: number; innerWidth: number }
        assert.ok(scrollWidth <= innerWidth, `${kind} (${locale}) is ${scrollWidth} px wide at ${width} px`)
        shown++
      }
    }
    await page.close()
  }
  assert.equal(shown, 2 * MAIL_KINDS.length * LOCALES.length)
  assert.deepEqual(problems, [])
})
