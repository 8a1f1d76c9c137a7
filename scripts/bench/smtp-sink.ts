/**
 * Child process: a STARTTLS SMTP server that takes every mail and keeps only
 * its recipient and arrival time. Unlike the test server it parses nothing,
 * so the sink is never what limits a figure. Answers the bench over IPC.
 */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { testCertificates } from '../../packages/testing/src/ca.ts'
import { answer, tell, wallClock } from './child.ts'

export type SinkRequest = { id: number } & (
  | { op: 'count' }
  | { op: 'times'; prefix: string }
  | { op: 'waitFor'; count: number }
)
export interface SinkInfo {
  url: string
  caFile: string
}

const { caFile, key, cert } = await testCertificates()
/** Arrival time of every mail, in order; the n-th mail arrived at arrivals[n - 1]. */
const arrivals: number[] = []
const byRecipient = new Map<string, number>()
const waiters: { count: number; resolve: (at: number) => void }[] = []

const server = new SMTPServer({
  key,
  cert,
  logger: false,
  closeTimeout: 100,
  authOptional: true,
  disabledCommands: ['AUTH'],
  // Like a real relay (and the worker's requireTLS), no mail without TLS.
  onMailFrom(_address, session, callback) {
    if (session.secure) callback()
    else callback(Object.assign(new Error('Must issue a STARTTLS command first'), { responseCode: 530 }))
  },
  onData(stream, session, callback) {
    stream.on('data', () => {})
    stream.on('end', () => {
      const at = wallClock()
      arrivals.push(at)
      for (const rcpt of session.envelope.rcptTo) byRecipient.set(rcpt.address, at)
      for (const waiter of waiters.filter((w) => arrivals.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(arrivals[waiter.count - 1] as number)
      }
      callback()
    })
  },
})

server.listen(0, '127.0.0.1')
await once(server.server, 'listening')
const { port } = server.server.address() as AddressInfo
tell({ url: `smtp://127.0.0.1:${port}`, caFile } satisfies SinkInfo)

process.on('message', (request: SinkRequest) => {
  if (request.op === 'count') answer(request, arrivals.length)
  else if (request.op === 'times') {
    answer(
      request,
      [...byRecipient].filter(([rcpt]) => rcpt.startsWith(request.prefix)),
    )
  } else if (request.op === 'waitFor') {
    if (arrivals.length >= request.count) answer(request, arrivals[request.count - 1])
    else waiters.push({ count: request.count, resolve: (at) => answer(request, at) })
  }
})
process.once('SIGTERM', () => server.close(() => process.exit(0)))
