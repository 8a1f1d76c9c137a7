import { after, before } from 'node:test'
import { type LaunchedBrowser, launchBrowser } from './browser.ts'
import { startSmtpServer, type TestSmtpServer } from './smtp-server.ts'
import { type Stack, startStack } from './stack.ts'

export interface RealStack {
  smtp: TestSmtpServer
  stack: Stack
  browser: LaunchedBrowser
}

/**
 * For a suite that goes through the product as a person does: registers
 * hooks that start the real api and worker processes, a STARTTLS SMTP server
 * with a test CA, and headless Chromium, and stop them after the suite.
 * The returned object is filled in once the `before` hook has run.
 */
export function useRealStack(): RealStack {
  const parts = {} as RealStack
  before(async () => {
    // Chromium starts while the processes do; each part is kept as soon as it is up, so `after` closes it.
    const browser = launchBrowser().then((launched) => {
      parts.browser = launched
    })
    const processes = (async () => {
      parts.smtp = await startSmtpServer({ mode: 'starttls' })
      parts.stack = await startStack({ smtp: parts.smtp })
      await Promise.all([parts.stack.up('api'), parts.stack.up('worker')])
    })()
    for (const result of await Promise.allSettled([processes, browser])) {
      if (result.status === 'rejected') throw result.reason
    }
  })
  after(async () => {
    await parts.browser?.close()
    await parts.stack?.close()
    await parts.smtp?.close()
  })
  return parts
}
