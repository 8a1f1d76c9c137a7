import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { test } from 'node:test'
import amqp from 'amqplib'
import { eventually, ownVhost, queueTypes, testBroker } from './helper.ts'

/** A port that accepts TCP and never says a word: a node that swallows packets. */
async function blackHole(t: { after(fn: () => void): void }) {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  return (server.address() as AddressInfo).port
}

/** A port nobody listens on: a node that is down. */
async function closedPort() {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

const withPort = (url: string, port: number) => Object.assign(new URL(url), { port: String(port) }).toString()

test('connecting declares every queue as a quorum queue and binds the routed ones', async (t) => {
  const { vhost, url } = await ownVhost()
  const { broker } = testBroker(t, { urls: [url] })
  broker.start()
  await broker.whenConnected(10_000)

  const { names } = broker
  assert.deepEqual(await queueTypes(vhost), {
    [names.jobs]: 'quorum',
    [names.dead]: 'quorum',
    [names.receipts]: 'quorum',
    'mail.jobs.retry.10s': 'quorum',
    'mail.jobs.retry.1m': 'quorum',
    'mail.jobs.retry.10m': 'quorum',
  })
  // A job published to the exchange with its routing key lands in mail.jobs.
  await broker.publish(names.jobsRoutingKey, { hello: 1 }, { messageId: 'm-1' })
  const probe = await amqp.connect(url)
  t.after(() => probe.close())
  const channel = await probe.createChannel()
  const got = await channel.get(names.jobs, { noAck: true })
  assert.ok(got, 'the job is in mail.jobs')
  assert.deepEqual(JSON.parse(got.content.toString()), { hello: 1 })
  assert.equal(got.properties.messageId, 'm-1')
  assert.equal(got.properties.deliveryMode, 2, 'persistent')
})

test('status names the node in use and what it says about itself', async (t) => {
  const { url } = await ownVhost()
  const { broker } = testBroker(t, { urls: [url] })
  assert.deepEqual(broker.status(), { connected: false })
  broker.start()
  await broker.whenConnected(10_000)
  const status = broker.status()
  assert.equal(status.connected, true)
  assert.equal(status.node, `${new URL(url).hostname}:${new URL(url).port || 5672}`)
  assert.equal(typeof status.cluster, 'string')
  assert.match(status.version ?? '', /^\d+\.\d+/)
})

test('fail-over: a first node that is down or swallows packets is skipped for the next', async (t) => {
  const { url } = await ownVhost()
  const down = withPort(url, await closedPort())
  const silent = withPort(url, await blackHole(t))
  const { broker, lines } = testBroker(t, { urls: [down, silent, url], connectTimeoutMs: 500 })
  broker.start()
  await broker.whenConnected(10_000)
  assert.equal(broker.status().node, `${new URL(url).hostname}:${new URL(url).port || 5672}`)
  const skipped = lines.filter((l) => l.msg.includes('trying the next one'))
  assert.equal(skipped.length, 2, 'one line per node skipped')
  assert.match(JSON.stringify(skipped[1]?.obj), /ETIMEDOUT/)
  assert.ok(!lines.some((l) => l.level === 'warn'), 'no outage warning while another node answers')
})

test('a wrong password says to check the credentials, not to start a RabbitMQ', async (t) => {
  const { url } = await ownVhost()
  const wrong = Object.assign(new URL(url), { password: 'not-the-password' }).toString()
  const { broker, lines } = testBroker(t, { urls: [wrong] })
  broker.start()
  await eventually('a warning', () => lines.some((l) => l.level === 'warn'))
  const warning = lines.find((l) => l.level === 'warn')
  assert.match(warning?.msg ?? '', /check the credentials/)
  assert.doesNotMatch(warning?.msg ?? '', /rabbitmq-server|docker compose/)
  assert.doesNotMatch(JSON.stringify(warning), /not-the-password/, 'the password stays out of the log')
  assert.equal(broker.isConnected(), false)
})

test('an unreachable broker says how to start one, once, and keeps retrying', async (t) => {
  const down = withPort('amqp://guest:guest@127.0.0.1', await closedPort())
  const { broker, lines } = testBroker(t, { urls: [down] })
  broker.start()
  await eventually('two failed rounds', () => lines.filter((l) => l.msg.includes('RabbitMQ')).length >= 2)
  const warnings = lines.filter((l) => l.level === 'warn')
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]?.msg ?? '', /not reachable: start one/)
})
