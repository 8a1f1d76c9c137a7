import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { ensureSmtpCerts } from './certs.ts'
import { type Child, run } from './children.ts'
import type { Env } from './env-file.ts'

export interface Maildev {
  child: Child
  /** What the worker gets as SMTP_URL and SMTP_CA_FILE. */
  smtpUrl: string
  caFile: string
  webUrl: string
}

/**
 * Runs MailDev with implicit TLS on its SMTP port (`--incoming-secure`; it
 * hides STARTTLS otherwise, and the worker refuses plain SMTP), bound to
 * loopback only, and waits until a TLS handshake that trusts only our CA succeeds.
 */
export async function startMaildev(root: string, env: Env): Promise<Maildev> {
  const dir = join(root, 'data', 'maildev')
  const certs = await ensureSmtpCerts(dir)
  const { 'MailDev SMTP': smtpPort, 'MailDev inbox': webPort } = maildevPorts(env)
  const bin = fileURLToPath(new URL('./bin/maildev.js', import.meta.resolve('maildev')))
  const args = [
    bin,
    ...['--smtp', String(smtpPort), '--ip', '127.0.0.1'],
    ...['--web', String(webPort), '--web-ip', '127.0.0.1'],
    ...['--incoming-secure', '--incoming-cert', certs.certFile, '--incoming-key', certs.keyFile],
    // Keep the inbox across restarts, but bounded.
    ...['--mail-directory', join(dir, 'mail'), '--max-emails', '500'],
  ]
  // Only the MAILDEV_* variables MailDev reads itself would matter, and the ports are passed explicitly.
  const child = run('maildev', process.execPath, args, { cwd: root, env: process.env })
  try {
    await waitForTls(smtpPort, readFileSync(certs.caFile), child)
  } catch (error) {
    child.process.kill('SIGTERM')
    await child.exited
    throw error
  }
  return {
    child,
    smtpUrl: maildevSmtpUrl(env),
    caFile: certs.caFile,
    webUrl: `http://localhost:${webPort}`,
  }
}

export const maildevPorts = (env: Env) => ({
  'MailDev SMTP': Number(env.MAILDEV_SMTP_PORT ?? 1025),
  'MailDev inbox': Number(env.MAILDEV_WEB_PORT ?? 1080),
})

/** Where the local MailDev takes mail: implicit TLS on loopback. */
export const maildevSmtpUrl = (env: Env) => `smtps://127.0.0.1:${maildevPorts(env)['MailDev SMTP']}`

async function waitForTls(port: number, ca: Buffer, child: Child, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exited = false
  void child.exited.then(() => {
    exited = true
  })
  for (;;) {
    const error = await handshake(port, ca)
    // Checked after the handshake too: another server may hold the port while ours has died.
    if (exited) throw new Error(`MailDev exited before its SMTP port ${port} was up (is the port taken?)`)
    if (!error) return
    // Refused means "not listening yet"; a certificate error is a real problem worth stopping for.
    if (!['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(error.code ?? '')) {
      throw new Error(`TLS check against MailDev on port ${port} failed: ${error.message}`)
    }
    if (Date.now() > deadline) {
      throw new Error(`MailDev's SMTP port ${port} did not accept TLS within ${timeoutMs / 1000}s`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

function handshake(port: number, ca: Buffer): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      socket.end()
      resolve(undefined)
    })
    // Something that accepts the connection but never speaks TLS must not hang the start.
    socket.setTimeout(2_000, () =>
      socket.destroy(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })),
    )
    socket.on('error', resolve)
  })
}
