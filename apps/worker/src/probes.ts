import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '@authmail/logger'
import type { Worker } from './worker.ts'

/**
 * The worker's HTTP side, on WORKER_HTTP_PORT: liveness, readiness and
 * Prometheus metrics. node:http rather than a framework: three GET routes
 * do not justify a second web stack in a process that exists to send mail.
 */
export function createProbeServer(worker: Worker, logger: Logger) {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(response, 405, { error: error('METHOD_NOT_ALLOWED', 'only GET and HEAD are served') })
    }
    if (path === '/healthz') return send(response, 200, { status: 'ok' })
    if (path === '/readyz') {
      return void worker.readiness().then(
        (ready) => send(response, ready.ready ? 200 : 503, ready),
        (cause: unknown) => fail(response, cause),
      )
    }
    if (path === '/metrics') {
      return void worker.metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': worker.metrics.registry.contentType })
          response.end(text)
        },
        (cause: unknown) => fail(response, cause),
      )
    }
    send(response, 404, { error: error('NOT_FOUND', `no route ${path}`) })
  })

  function fail(response: ServerResponse, cause: unknown) {
    logger.error({ err: cause }, 'probe failed')
    send(response, 500, { error: error('INTERNAL', 'internal error') })
  }

  return {
    /** Resolves with the address actually bound (port 0 picks a free one). */
    async listen(port: number, host: string): Promise<AddressInfo> {
      server.listen(port, host)
      await once(server, 'listening')
      return server.address() as AddressInfo
    },
    async close(): Promise<void> {
      if (!server.listening) return
      const closed = once(server, 'close')
      server.close()
      // Prometheus and kubelets keep connections alive; they must not hold the shutdown.
      server.closeAllConnections()
      await closed
    },
  }
}

const error = (code: string, message: string) => ({ code, message, field: null, details: {} })

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  })
  response.end(JSON.stringify(body))
}
