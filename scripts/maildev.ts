/**
 * `pnpm maildev`: only the mail catcher of `pnpm start`, for running the api and
 * the worker each in a terminal of their own. Writes its SMTP_URL and
 * SMTP_CA_FILE into `.env` (where empty), so `pnpm worker` finds it.
 */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { say, stop } from './start/children.ts'
import { effectiveEnv, ensureDotenv, rememberMaildev } from './start/env-file.ts'
import { maildevPorts, startMaildev } from './start/maildev.ts'
import { takenPorts } from './start/ports.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

const taken = await takenPorts(maildevPorts(effectiveEnv(root)))
if (taken.length) {
  for (const line of taken) say(line)
  say('not starting MailDev: is `pnpm start` or `pnpm maildev` already running?')
  process.exit(1)
}
if (ensureDotenv(root)) say('created .env from .env.example with a new random JWT_SECRET')
const env = effectiveEnv(root)

let maildev: Awaited<ReturnType<typeof startMaildev>>
try {
  maildev = await startMaildev(root, env)
} catch (error) {
  say((error as Error).message)
  process.exit(1)
}
const written = rememberMaildev(root, {
  SMTP_URL: maildev.smtpUrl,
  SMTP_CA_FILE: relative(root, maildev.caFile),
})
if (written.length) say(`wrote ${written.join(' and ')} into .env`)
if (env.SMTP_URL && env.SMTP_URL !== maildev.smtpUrl) {
  say(`note: .env sets SMTP_URL=${env.SMTP_URL}; the worker sends there, not to this MailDev`)
}
say(`MailDev inbox  ${maildev.webUrl}  (SMTP ${maildev.smtpUrl}, TLS; CA ${relative(root, maildev.caFile)})`)
say('Ctrl+C stops it')

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    stopping = true
    void stop(maildev.child, 'SIGTERM').then(() => process.exit(0))
  })
}
void maildev.child.exited.then((result) => {
  if (stopping) return
  say(`MailDev exited (${result})`)
  process.exit(1)
})
