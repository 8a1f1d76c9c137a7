import assert from 'node:assert/strict'
import { test } from 'node:test'
import { launchBrowser } from '@authmail/testing'
import { build } from './helper.ts'

test('/docs has the pages CSP, cannot be framed, and still renders in Chromium', async (t) => {
  const api = await build(t)
  const page = await api.inject({ method: 'GET', url: '/docs' })
  assert.equal(page.statusCode, 200)
  for (const res of [page, await api.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })]) {
    const csp = String(res.headers['content-security-policy'])
    assert.match(csp, /frame-ancestors 'none'/)
    assert.match(csp, /default-src 'none'/)
    assert.match(csp, /script-src 'self';/)
    assert.match(csp, /style-src 'self' 'sha256-[^']+';/)
    assert.doesNotMatch(csp, /https:|unsafe/)
  }
  assert.equal(page.headers['x-frame-options'], 'DENY')
  assert.equal(page.headers['referrer-policy'], 'no-referrer')

  const address = await api.listen({ port: 0, host: '127.0.0.1' })
  const { browser, close } = await launchBrowser()
  t.after(close)
  const tab = await browser.newPage()
  const refused: string[] = []
  tab.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(message.text())
  })
  await tab.goto(`${address}/docs`)
  await tab.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 })
  assert.match((await tab.locator('.swagger-ui .info .title').textContent()) ?? '', /authmail/)
  assert.ok((await tab.locator('.opblock').count()) > 0, 'the operations are listed')
  assert.deepEqual(refused, [])
})
