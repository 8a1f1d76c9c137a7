import { readFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { createSecureContext, rootCertificates } from 'node:tls'
import type { RenderedMail } from '@authmail/emails'
import nodemailer from 'nodemailer'
import type { WorkerEnv } from './env.ts'

export interface OutgoingMail extends RenderedMail {
  to: string
  /** Stable per job, so a resend after a lost ack is recognisable as the same mail. */
  messageId: string
}

type MailerEnv = Pick<
  WorkerEnv,
  | 'SMTP_URL'
  | 'SMTP_CA_FILE'
  | 'SMTP_CONNECTION_TIMEOUT_MS'
  | 'SMTP_GREETING_TIMEOUT_MS'
  | 'SMTP_SOCKET_TIMEOUT_MS'
  | 'SMTP_POOL_SIZE'
  | 'SMTP_MAX_MESSAGES_PER_CONNECTION'
  | 'MAIL_FROM'
  | 'DKIM_DOMAIN'
  | 'DKIM_SELECTOR'
  | 'DKIM_PRIVATE_KEY_FILE'
>

/**
 * A pooled transport: opening a connection per mail costs a greeting and a TLS
 * handshake each time (~10 mails/s against ~1,500 pooled, DESIGN §3).
 * TLS is never optional: smtps:// is TLS from the first byte, smtp:// must
 * upgrade with STARTTLS or the send fails. The certificate is always checked;
 * SMTP_CA_FILE adds a CA to the system roots, it does not replace them.
 */
export function createMailer(env: MailerEnv) {
  const url = new URL(env.SMTP_URL)
  const implicitTls = url.protocol === 'smtps:'
  const ca = env.SMTP_CA_FILE ? [...rootCertificates, readFileSync(env.SMTP_CA_FILE, 'utf8')] : undefined
  // Built once and shared by every pooled connection: left to tls.connect, each new connection
  // (the pool opens one every 100 mails) would parse the ~140 root certificates again, ~20 ms of
  // CPU and megabytes of native memory that the garbage collector frees late.
  const secureContext = createSecureContext({ ca, minVersion: 'TLSv1.2' })
  const dkim =
    env.DKIM_DOMAIN && env.DKIM_SELECTOR && env.DKIM_PRIVATE_KEY_FILE
      ? {
          domainName: env.DKIM_DOMAIN,
          keySelector: env.DKIM_SELECTOR,
          privateKey: readFileSync(env.DKIM_PRIVATE_KEY_FILE, 'utf8'),
        }
      : undefined

  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: env.SMTP_POOL_SIZE,
    maxMessages: env.SMTP_MAX_MESSAGES_PER_CONNECTION,
    // One quick retry inside the pool covers a server closing an idle connection
    // just as a mail starts; every other retry is the queue's, so it is counted and bounded.
    maxRequeues: 1,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || (implicitTls ? 465 : 587),
    secure: implicitTls,
    requireTLS: !implicitTls,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    tls: { secureContext, minVersion: 'TLSv1.2' },
    connectionTimeout: env.SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: env.SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: env.SMTP_SOCKET_TIMEOUT_MS,
    dkim,
    // nodemailer connects a socket it is given exactly as its own. Made here, it has Nagle's
    // algorithm off: with it on, the end of a message (a small write after the body) waited for the
    // server's delayed ACK, up to 40 ms a mail. With smtps:// nodemailer opens the TLS socket
    // itself, so that one keeps the default.
    ...(implicitTls ? {} : { getSocket: noDelaySocket }),
  })

  return {
    /** Resolves once the server accepted the message; rejects with nodemailer's error (see classify). */
    async send(mail: OutgoingMail): Promise<void> {
      await transport.sendMail({
        from: env.MAIL_FROM,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: {
          'Auto-Submitted': 'auto-generated',
          // Keeps out-of-office replies from bouncing back to a no-reply address.
          'X-Auto-Response-Suppress': 'All',
        },
      })
    },

    /** Connects, upgrades to TLS and logs in without sending: what readiness asks. */
    verify: (): Promise<true> => transport.verify(),

    close(): void {
      transport.close()
    },
  }
}

export type Mailer = ReturnType<typeof createMailer>

function noDelaySocket(
  _options: unknown,
  callback: (error: Error | null, options: { socket: Socket }) => void,
) {
  const socket = new Socket()
  socket.setNoDelay(true)
  callback(null, { socket })
}
