import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

/** Another process (not this test's) holding `port`, like a first `pnpm start` would. */
async function holdPort(port: number): Promise<ChildProcess> {
  const holder = spawn(
    process.execPath,
    ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  await once(holder.stdout as NodeJS.ReadableStream, 'data')
  return holder
}

test('pnpm start refuses to start, naming the pid, when another process holds its api port', async (t) => {
  const port = await freePort()
  const holder = await holdPort(port)
  t.after(() => holder.kill())

  const start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      WORKER_HTTP_PORT: String(await freePort()),
      // An outside relay: MailDev (and its ports) stay out of it.
      SMTP_URL: 'smtps://mail.example.test:465',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.after(() => start.kill('SIGKILL'))
  let output = ''
  start.stdout?.on('data', (chunk) => {
    output += chunk
  })
  start.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const [code] = await once(start, 'exit')

  assert.equal(code, 1, output)
  assert.match(output, new RegExp(`port ${port} \\(api\\) is held by pid ${holder.pid}\\b`))
  assert.match(output, /not starting: is `pnpm start` already running\?/)
  assert.doesNotMatch(output, /\[(api|worker|maildev)\]/, 'nothing was started')
})
