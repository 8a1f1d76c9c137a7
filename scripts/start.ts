/**
 * `pnpm start`: the api, the worker and (unless SMTP_URL is set) a MailDev that
 * catches their mail over TLS, in one terminal. Stops everything when one part
 * dies or on Ctrl+C / SIGTERM.
 */
import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Child, run, say, stop } from './start/children.ts'
import { effectiveEnv, ensureAccessKey, ensureDotenv, rememberMaildev } from './start/env-file.ts'
import { type Maildev, maildevPorts, maildevSmtpUrl, startMaildev } from './start/maildev.ts'
import { takenPorts } from './start/ports.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

// Before anything is written: a second copy must leave the first one's files alone.
await refuseIfPortsTaken()

if (ensureDotenv(root)) say('created .env from .env.example with a new random JWT_SECRET')
const accessKey = ensureAccessKey(root)
if (accessKey) say(accessKey)
const env = effectiveEnv(root)
/** SMTP_URL unset, or the one this script wrote for its MailDev: run MailDev. */
const ownMaildev = !env.SMTP_URL || env.SMTP_URL === maildevSmtpUrl(env)

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

// SIGHUP (the terminal closed) stops everything like Ctrl+C; the apps themselves are sent SIGTERM for it.
// pnpm forwards the terminal's Ctrl+C to us, so one press arrives twice within milliseconds:
// only a signal a moment after the first one is a second press that asks to kill.
let firstSignalAt = 0
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!stopping) {
      firstSignalAt = Date.now()
      say(`${signal}: stopping (press Ctrl+C again to kill)`)
      void shutdown(0, signal === 'SIGHUP' ? 'SIGTERM' : signal)
      return
    }
    if (Date.now() - firstSignalAt < 500) return
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
if (!ownMaildev) {
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
    const written = rememberMaildev(root, {
      SMTP_URL: maildev.smtpUrl,
      SMTP_CA_FILE: relative(root, maildev.caFile),
    })
    if (written.length)
      say(`wrote ${written.join(' and ')} of MailDev into .env, so \`pnpm worker\` alone finds it`)
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
  const child = run(name, process.execPath, ['--conditions=@authmail/source', '--import', 'tsx', entry], {
    cwd: root,
    env: childEnv,
  })
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

/** Exits, naming the process, when a port of the api, the worker or MailDev is taken (another `pnpm start`?). */
async function refuseIfPortsTaken(): Promise<void> {
  const current = effectiveEnv(root)
  const runsMaildev = !current.SMTP_URL || current.SMTP_URL === maildevSmtpUrl(current)
  const host = !current.HOST || ['0.0.0.0', '::'].includes(current.HOST) ? '127.0.0.1' : current.HOST
  const taken = await takenPorts(
    {
      api: Number(current.PORT ?? 5001),
      'worker probes': Number(current.WORKER_HTTP_PORT ?? 5002),
      ...(runsMaildev ? maildevPorts(current) : {}),
    },
    host,
  )
  if (!taken.length) return
  for (const line of taken) say(line)
  say('not starting: is `pnpm start` already running? Stop it first, or set other ports in .env')
  process.exit(1)
}
