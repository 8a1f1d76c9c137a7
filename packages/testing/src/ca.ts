import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// The one certificate generator: `pnpm start` and the MailDev image use it too.
import { ensureSmtpCerts } from '../../../scripts/start/certs.ts'

/** A throw-away CA and a server certificate for `localhost` and 127.0.0.1 signed by it. */
export interface TestCertificates {
  /** PEM file of the CA: what `SMTP_CA_FILE` points at. */
  caFile: string
  ca: string
  key: string
  cert: string
}

let cached: Promise<TestCertificates> | undefined

/**
 * Made once per process: a real chain, so a client that trusts only the
 * system roots refuses it, exactly as it would refuse an impostor.
 */
export function testCertificates(): Promise<TestCertificates> {
  cached ??= generate()
  return cached
}

async function generate(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'authmail-ca-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const { caFile, certFile, keyFile } = await ensureSmtpCerts(dir, ['localhost', '127.0.0.1'])
  return {
    caFile,
    ca: readFileSync(caFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    cert: readFileSync(certFile, 'utf8'),
  }
}
