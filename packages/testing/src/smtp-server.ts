import { EventEmitter, once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { testCertificates } from './ca.ts'
import { createFaults, type Fault, type FaultCode, type FaultStage, replyError } from './smtp-faults.ts'

export interface SmtpServerOptions {
  /** `smtps` = implicit TLS; default `starttls`. Plain text is refused either way. */
  mode?: 'starttls' | 'smtps'
  /** Require AUTH PLAIN/LOGIN with these credentials. */
  auth?: { user: string; pass: string }
}

export interface ReceivedMail {
  from: string
  to: string[]
  /** Whether the transaction ran over TLS (always true unless the server is misused). */
  secure: boolean
  user: string | undefined
  raw: Buffer
  parsed: ParsedMail
}

type Times = { times?: number }

/** A real SMTP peer on 127.0.0.1 that can be told to misbehave. */
export async function startSmtpServer(options: SmtpServerOptions = {}) {
  const { caFile, key, cert } = await testCertificates()
  const faults = createFaults()
  const mails: ReceivedMail[] = []
  const arrivals = new EventEmitter()
  const counts = { rcpt: 0, data: 0 }
  /** Addresses answered `550 5.1.1` at RCPT, as a real server answers for a mailbox it does not have. */
  const unknownRecipients = new Set<string>()
  const smtps = options.mode === 'smtps'

  const server = new SMTPServer({
    secure: smtps,
    key,
    cert,
    logger: false,
    closeTimeout: 100,
    authOptional: !options.auth,
    disabledCommands: options.auth ? [] : ['AUTH'],
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass
      if (ok) callback(null, { user: auth.username })
      else callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }))
    },
    // A real relay insists on TLS before it takes a message; so does this one.
    onMailFrom(_address, session, callback) {
      if (session.secure) callback()
      else callback(Object.assign(new Error('Must issue a STARTTLS command first'), { responseCode: 530 }))
    },
    onRcptTo(address, session, callback) {
      counts.rcpt += 1
      if (unknownRecipients.has(address.address.toLowerCase())) {
        const reply = `5.1.1 <${address.address}>: Recipient address rejected: User unknown`
        callback(Object.assign(new Error(reply), { responseCode: 550 }))
        return
      }
      if (misbehave(faults.take('rcpt'), session, callback)) return
      callback()
    },
    onData(stream, session, callback) {
      counts.data += 1
      receive(stream, session, callback).catch(callback)
    },
  })

  /** Applies a fault taken for this step; true when it answered (or will never answer). */
  function misbehave(fault: Fault | null, session: SMTPServerSession, callback: (err?: Error) => void) {
    if (!fault || fault.kind === 'slow') return false
    if (fault.kind === 'reply') callback(replyError(fault.code))
    if (fault.kind === 'drop') dropConnection(session)
    return true // a stall simply never calls back
  }

  function dropConnection(session: SMTPServerSession) {
    for (const connection of server.connections) {
      if (connection.id === session.id) connection._socket.destroy()
    }
  }

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession, callback: () => void) {
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    const fault = faults.take('data')
    if (misbehave(fault, session, callback)) return
    // The message counts as received before the reply, like a real server that queued it:
    // a client that dies before reading the 250 will send it again.
    const delivered = fault?.kind === 'slow' ? sleep(fault.ms) : Promise.resolve()
    const raw = Buffer.concat(chunks)
    const mail: ReceivedMail = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
      secure: session.secure,
      user: session.user as string | undefined,
      raw,
      parsed: await simpleParser(raw),
    }
    mails.push(mail)
    arrivals.emit('mail', mail)
    await delivered
    callback()
  }

  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  const { port } = server.server.address() as AddressInfo
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`
    : ''

  return {
    port,
    caFile,
    /** What a worker's `SMTP_URL` should be to reach this server. */
    url: `${smtps ? 'smtps' : 'smtp'}://${credentials}127.0.0.1:${port}`,
    mails,
    /** RCPT and DATA commands seen, including failed ones: proof that a client retried. */
    counts,

    /** Answers `code` at RCPT (default) or after DATA, for `times` transactions (default: until behave()). */
    fail(code: FaultCode, { at = 'rcpt', times }: { at?: FaultStage } & Times = {}) {
      faults.set({ kind: 'reply', code, at }, times)
    },
    /** Takes the message after DATA and never answers. */
    stall({ times }: Times = {}) {
      faults.set({ kind: 'stall' }, times)
    },
    /** Cuts the connection at RCPT or after DATA (default). */
    drop({ at = 'data', times }: { at?: FaultStage } & Times = {}) {
      faults.set({ kind: 'drop', at }, times)
    },
    /** Takes each message at once but answers 250 only after `ms`: mails stay in flight longer. */
    slow(ms: number, { times }: Times = {}) {
      faults.set({ kind: 'slow', ms }, times)
    },
    /** Answers `550 5.1.1 … User unknown` at RCPT for `address`, every time, until behave(). */
    unknownRecipient(address: string) {
      unknownRecipients.add(address.toLowerCase())
    },
    behave() {
      faults.clear()
      unknownRecipients.clear()
    },

    /** The first mail (already received or still to come) that matches. */
    waitForMail(predicate: (mail: ReceivedMail) => boolean = () => true, timeoutMs = 5000) {
      const found = mails.find(predicate)
      if (found) return Promise.resolve(found)
      return new Promise<ReceivedMail>((resolve, reject) => {
        const onMail = (mail: ReceivedMail) => {
          if (!predicate(mail)) return
          clearTimeout(timer)
          arrivals.off('mail', onMail)
          resolve(mail)
        }
        const timer = setTimeout(() => {
          arrivals.off('mail', onMail)
          reject(new Error(`no matching mail within ${timeoutMs} ms (${mails.length} received)`))
        }, timeoutMs)
        arrivals.on('mail', onMail)
      })
    },

    close(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

export type TestSmtpServer = Awaited<ReturnType<typeof startSmtpServer>>
