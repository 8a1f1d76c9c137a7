import { type Browser, chromium } from 'playwright-core'

/** Debian's chromium package; playwright-core ships no browser and none can be downloaded here. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

export interface LaunchedBrowser {
  browser: Browser
  /** Closes the browser (and so removes its profile); safe to call twice. */
  close: () => Promise<void>
}

/**
 * Headless Chromium with everything that would reach the network on its own
 * (updates, sync, QUIC, background requests) switched off, so a test sees only
 * the traffic it causes. `--no-sandbox` because tests run as root.
 *
 * Each launch gets a fresh profile: `launch()` passes its own temporary
 * `--user-data-dir` and deletes it on close (it refuses one in `args`).
 */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= browser.close()
    return closed
  }
  return { browser, close }
}
