import { once } from 'node:events'
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net'

/**
 * A TCP relay on 127.0.0.1 in front of one real peer (RabbitMQ, PostgreSQL).
 * `cut()` is a network fault that touches only the processes behind this
 * proxy: every open connection is torn down and new ones are refused
 * (ECONNREFUSED), as if the peer had gone away; `restore()` lets them through
 * again on the same port. Other users of the peer never notice.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const pairs = new Set<{ client: Socket; upstream: Socket }>()
  let connections = 0
  let stalled = false
  const flow = ({ client, upstream }: { client: Socket; upstream: Socket }) => {
    client.pipe(upstream)
    upstream.pipe(client)
  }
  const hold = ({ client, upstream }: { client: Socket; upstream: Socket }) => {
    client.unpipe(upstream)
    upstream.unpipe(client)
    client.pause()
    upstream.pause()
  }

  const server = createServer((client) => {
    connections += 1
    const upstream = createConnection(target)
    const pair = { client, upstream }
    pairs.add(pair)
    const teardown = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', teardown).on('close', teardown)
    upstream.on('error', teardown).on('close', teardown)
    if (stalled) hold(pair)
    else flow(pair)
  })

  async function listen(port: number) {
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
  }

  await listen(0)
  const { port } = server.address() as AddressInfo
  let cut = false

  return {
    port,
    /** Connections accepted so far: proof that a client reconnected. */
    connections: () => connections,
    /** Local ports of the proxy's own connections to the peer: how the peer (e.g. rabbitmqctl) sees our clients. */
    upstreamPorts: () =>
      [...pairs].map((p) => p.upstream.localPort).filter((p): p is number => p !== undefined),
    /** `url` with its host and port replaced by this proxy's. */
    via(url: string): string {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(port)
      return parsed.toString()
    },
    /**
     * Stops relaying in both directions while keeping every connection open: a
     * peer that hangs (nothing is lost, nothing answers) until {@link unstall}.
     */
    stall(): void {
      if (stalled) return
      stalled = true
      for (const pair of pairs) hold(pair)
    },
    unstall(): void {
      if (!stalled) return
      stalled = false
      for (const pair of pairs) flow(pair)
    },
    /** Drops every connection and refuses new ones until {@link restore}. */
    async cut(): Promise<void> {
      if (cut) return
      cut = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const pair of pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      pairs.clear()
      await closed
    },
    async restore(): Promise<void> {
      if (!cut) return
      cut = false
      await listen(port)
    },
    async close(): Promise<void> {
      for (const pair of pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>
