/**
 * `node --import tsx docker/maildev/certs.ts <dir> <host>…`: the CA and the
 * certificate MailDev's SMTP port presents in docker compose (same code as
 * `pnpm start`). The worker trusts the CA through the shared volume; nothing
 * skips certificate checks.
 */
import { ensureSmtpCerts } from '../../scripts/start/certs.ts'

const [dir, ...hosts] = process.argv.slice(2)
if (!dir || !hosts.length) throw new Error('usage: certs.ts <dir> <host>…')
const certs = await ensureSmtpCerts(dir, hosts)
console.log(`SMTP certificate for ${hosts.join(', ')}: ${certs.certFile} (CA ${certs.caFile})`)
