import { X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { generate } from 'selfsigned'

export interface SmtpCerts {
  /** PEM of the local CA; the worker trusts it through SMTP_CA_FILE. */
  caFile: string
  certFile: string
  keyFile: string
}

const DAY = 24 * 60 * 60 * 1000

/**
 * A private CA and a server certificate for `hosts` signed by it, so the worker
 * verifies MailDev's TLS like any real relay instead of skipping checks.
 * The CA key is never written: nothing else can ever be signed by this CA.
 */
export async function ensureSmtpCerts(
  dir: string,
  hosts = ['localhost', '127.0.0.1', '::1'],
): Promise<SmtpCerts> {
  const certs = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'smtp-cert.pem'),
    keyFile: join(dir, 'smtp-key.pem'),
  }
  if (stillValid(certs, hosts)) return certs

  mkdirSync(dir, { recursive: true })
  const validity = {
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 825 * DAY),
  }
  const ca = await generate([{ name: 'commonName', value: 'authmail local MailDev CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  })
  const server = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })),
      },
    ],
  })
  writeFileSync(certs.caFile, ca.cert)
  writeFileSync(certs.certFile, server.cert)
  writeFileSync(certs.keyFile, server.private, { mode: 0o600 })
  return certs
}

/** Regenerates a week before expiry (rather than fail the day it runs out) or when a host is not covered. */
function stillValid({ caFile, certFile, keyFile }: SmtpCerts, hosts: string[]): boolean {
  if (![caFile, certFile, keyFile].every((file) => existsSync(file))) return false
  const cert = new X509Certificate(readFileSync(certFile))
  const ca = new X509Certificate(readFileSync(caFile))
  const covers = (host: string) => (isIP(host) ? cert.checkIP(host) : cert.checkHost(host)) !== undefined
  const fresh = new Date(cert.validTo).getTime() > Date.now() + 7 * DAY
  return cert.verify(ca.publicKey) && fresh && hosts.every(covers)
}
