import type { ChannelModel } from 'amqplib'

/** The node a process is connected to: what /readyz shows, since a cluster's clients spread over its nodes. */
export interface NodeStatus {
  /** host:port of the AMQP_URL entry in use. */
  node: string
  /** The `cluster_name` the node announces when the connection opens (RabbitMQ sends no node name). */
  cluster?: string
  version?: string
}

export type BrokerStatus = { connected: boolean } & Partial<NodeStatus>

export function nodeOf(url: string, conn: ChannelModel): NodeStatus {
  const { hostname, port, protocol } = new URL(url)
  // amqplib keeps the server's connection.start properties on the underlying connection but does not type them.
  const server = (conn.connection as unknown as { serverProperties?: Record<string, unknown> })
    .serverProperties
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  return {
    node: `${hostname}:${port || (protocol === 'amqps:' ? 5671 : 5672)}`,
    cluster: text(server?.cluster_name),
    version: text(server?.version),
  }
}
