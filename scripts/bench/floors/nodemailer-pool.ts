/**
 * Child process, the floor of P2: a raw pooled nodemailer transport with the
 * worker's pool size and TLS settings, sending one mail the worker would send
 * (rendered once, up front) to the same sink as fast as the pool allows.
 */
import { readFileSync } from 'node:fs'
import { createSecureContext, rootCertificates } from 'node:tls'
import nodemailer from 'nodemailer'
import { childConfig, machineBusyMs, tell, wallClock } from '../child.ts'

export interface MailFloorConfig {
  smtpUrl: string
  caFile: string
  poolSize: number
  /** The worker's SMTP_MAX_MESSAGES_PER_CONNECTION: both replace connections equally often. */
  maxMessages: number
  seconds: number
  mail: { from: string; subject: string; text: string; html: string }
}

const config = childConfig<MailFloorConfig>()
const url = new URL(config.smtpUrl)
const transport = nodemailer.createTransport({
  pool: true,
  maxConnections: config.poolSize,
  maxMessages: config.maxMessages,
  host: url.hostname,
  port: Number(url.port),
  secure: false,
  requireTLS: true,
  // One context for every connection, as the worker does: a floor carries no avoidable work.
  tls: {
    secureContext: createSecureContext({
      ca: [...rootCertificates, readFileSync(config.caFile, 'utf8')],
      minVersion: 'TLSv1.2',
    }),
    minVersion: 'TLSv1.2',
  },
})

let n = 0
const send = () =>
  transport.sendMail({
    ...config.mail,
    to: `floor-${n++}@example.com`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
  })

// Open every pooled connection (greeting + STARTTLS) before the clock starts.
await Promise.all(Array.from({ length: config.poolSize * 2 }, send))
let sent = 0
const cpu = process.cpuUsage()
const machine = machineBusyMs()
const started = wallClock()
const until = started + config.seconds * 1000
// A few mails queued per connection, so a connection never waits for the next one.
await Promise.all(
  Array.from({ length: config.poolSize * 4 }, async () => {
    while (wallClock() < until) {
      await send()
      sent += 1
    }
  }),
)
const used = process.cpuUsage(cpu)
const machineMs = machineBusyMs() - machine
tell({
  perSecond: sent / ((wallClock() - started) / 1000),
  cpuMsPerMail: (used.user + used.system) / 1000 / sent,
  machineCpuMsPerMail: machineMs / sent,
})
transport.close()
