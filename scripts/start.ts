/**
 * `pnpm start`: the api, the worker and (unless SMTP_URL is set) a MailDev that
 * catches their mail over TLS, in one terminal. Stops everything when one part
 * dies or on Ctrl+C / SIGTERM.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Child, run, say, stop } from './start/children.ts'
import { effectiveEnv, ensureAccessKey, ensureDotenv } from './start/env-file.ts'
import { type Maildev, startMaildev } from './start/maildev.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

if (ensureDotenv(root)) say('created .env from .env.example with a new random JWT_SECRET')
const accessKey = ensureAccessKey(root)
if (accessKey) say(accessKey)
const env = effectiveEnv(root)

const apps: Child[] = []
let maildev: Maildev | undefined
let stopping = false

async function shutdown(code: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<never> {
  stopping = true
  // Apps first, so the worker can still hand in-flight mail to MailDev.
  await Promise.all(apps.map((child) => stop(child, signal)))
  if (maildev) await stop(maildev.child, 'SIGTERM')
  process.exit(code)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!stopping) {
      say(`${signal}: stopping (press Ctrl+C again to kill)`)
      void shutdown(0, signal)
      return
    }
    for (const child of [...apps, maildev?.child]) child?.process.kill('SIGKILL')
    process.exit(130)
  })
}

/** Any part that exits on its own takes the others down: a half-running stack only confuses. */
function watch(child: Child): void {
  void child.exited.then((result) => {
    if (stopping) return
    say(`${child.name} exited (${result}); stopping the others`)
    void shutdown(1)
  })
}

const childEnv: NodeJS.ProcessEnv = { ...process.env }
if (env.SMTP_URL) {
  say(`SMTP_URL is set; the worker sends through it and MailDev is not started`)
} else {
  try {
    maildev = await startMaildev(root, env)
  } catch (error) {
    say((error as Error).message)
    await shutdown(1)
  }
  if (maildev) {
    watch(maildev.child)
    childEnv.SMTP_URL = maildev.smtpUrl
    childEnv.SMTP_CA_FILE = maildev.caFile
  }
}

// Run from the repository root, like `node --import tsx apps/api/src/server.ts`, so ./data is the root one.
for (const [name, entry] of [
  ['api', 'apps/api/src/server.ts'],
  ['worker', 'apps/worker/src/main.ts'],
] as const) {
  if (!existsSync(join(root, entry))) {
    say(`${entry} does not exist; not starting the ${name}`)
    continue
  }
  const child = run(name, process.execPath, ['--import', 'tsx', entry], { cwd: root, env: childEnv })
  apps.push(child)
  watch(child)
}

await announce()

/** Prints the URLs once the api answers (or after 30 s), so they are not lost among start-up logs. */
async function announce(): Promise<void> {
  const port = env.PORT ?? '5001'
  const api = `http://localhost:${port}`
  const hasApi = apps.some((child) => child.name === 'api')
  const host = !env.HOST || ['0.0.0.0', '::'].includes(env.HOST) ? '127.0.0.1' : env.HOST
  const ready = hasApi && (await answers(`http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`))
  if (stopping) return
  say('')
  if (hasApi) say(`API            ${api}${ready ? '' : '  (not answering yet)'}`)
  if (hasApi) say(`API docs       ${api}/docs`)
  if (maildev) say(`MailDev inbox  ${maildev.webUrl}  (SMTP ${maildev.smtpUrl}, TLS)`)
  say('Ctrl+C stops everything')
  say('')
}

async function answers(url: string, tries = 60): Promise<boolean> {
  for (let i = 0; i < tries && !stopping; i++) {
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) return true
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return false
}
