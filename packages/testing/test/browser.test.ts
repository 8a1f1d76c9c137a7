import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { launchBrowser } from '../src/browser.ts'

const page = `<!doctype html>
<title>click</title>
<p id="status">waiting</p>
<button id="go">Confirm</button>
<script>document.getElementById('go').addEventListener('click', () => {
  document.getElementById('status').textContent = 'confirmed'
})</script>`

test('launchBrowser drives headless Chromium: clicking a button changes the page', async (t) => {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const { browser, close } = await launchBrowser()
  t.after(close)

  const tab = await browser.newPage()
  await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
  assert.equal(await tab.textContent('#status'), 'waiting')
  await tab.click('#go')
  assert.equal(await tab.textContent('#status'), 'confirmed')
})
