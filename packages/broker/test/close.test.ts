import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import amqp from 'amqplib'
import { startTcpProxy } from '../../testing/src/tcp-proxy.ts'
import { eventually, ownVhost, rabbitmqctl, testBroker } from './helper.ts'

const JOBS = 5

/** A broker on a prefix of its own with JOBS jobs waiting, and a handler the test releases by hand. */
async function brokerWithJobs(t: Parameters<typeof testBroker>[0], urlFor = (url: string) => url) {
  const { vhost, url } = await ownVhost()
  const prefix = `close-${randomBytes(3).toString('hex')}.`
  const { broker } = testBroker(t, { urls: [urlFor(url)], prefix })
  broker.start()
  await broker.whenConnected(10_000)
  for (let i = 1; i <= JOBS; i++)
    await broker.publish(broker.names.jobsRoutingKey, { i }, { messageId: `m${i}` })

  const started: string[] = []
  const finished: string[] = []
  let release = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  await broker.consume(
    broker.names.jobs,
    async (message, settle) => {
      started.push(message.properties.messageId as string)
      await released
      settle.ack()
      finished.push(message.properties.messageId as string)
    },
    { prefetch: 1 },
  )
  const ready = async () => {
    const probe = await amqp.connect(url)
    try {
      return (await (await probe.createChannel()).checkQueue(broker.names.jobs)).messageCount
    } finally {
      await probe.close()
    }
  }
  const consumersOnJobs = async () =>
    (await rabbitmqctl('list_consumers', '-p', vhost, 'queue_name'))
      .split('\n')
      .filter((line) => line.trim() === broker.names.jobs).length
  return { broker, started, finished, release, ready, consumersOnJobs }
}

test('close cancels the consumer first, lets the job in flight finish and ack, then closes', async (t) => {
  const { broker, started, finished, release, ready, consumersOnJobs } = await brokerWithJobs(t)
  await eventually('the first job is in the handler', () => started.length === 1)
  assert.equal(await consumersOnJobs(), 1)

  let closed = false
  const closing = broker.close({ drainTimeoutMs: 20_000 }).then(() => {
    closed = true
  })
  // The broker no longer delivers to us while the job is still in our hands.
  await eventually('the consumer is cancelled', async () => (await consumersOnJobs()) === 0)
  assert.equal(closed, false, 'close waits for the job in flight')
  release()
  await closing
  assert.deepEqual(finished, ['m1'], 'the job in flight finished before close returned')
  assert.deepEqual(started, ['m1'], 'no job was started after close began')
  // m1's ack went out on a channel that was still open; the other jobs wait for the next worker.
  await eventually('the unstarted jobs are ready again', async () => (await ready()) === JOBS - 1)
})

test('a job that outlives the drain bound goes back to the queue when close ends', async (t) => {
  const { broker, started, ready, release } = await brokerWithJobs(t)
  await eventually('the first job is in the handler', () => started.length === 1)
  const before = Date.now()
  await broker.close({ drainTimeoutMs: 300 })
  assert.ok(Date.now() - before >= 300, 'close waited for the drain bound')
  await eventually('every job is ready again', async () => (await ready()) === JOBS)
  release() // a late ack on the closed channel is ignored
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(await ready(), JOBS)
})

test('close returns even when the connection dies while it is closing', async (t) => {
  const { url } = await ownVhost()
  const target = new URL(url)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) || 5672 })
  const { broker } = testBroker(t, { urls: [proxy.via(url)], heartbeatSeconds: 30 })
  broker.start()
  await broker.whenConnected(10_000)
  await broker.publish(broker.names.jobsRoutingKey, {}, { messageId: 'one' })
  await proxy.close()
  // No timer of ours keeps the process alive: a close that waited for an answer that never comes would fail the test.
  await broker.close()
  assert.equal(broker.isConnected(), false)
})

test('close while still trying to connect stops the retries', async (t) => {
  const { broker, lines } = testBroker(t, { urls: ['amqp://guest:guest@127.0.0.1:1'] })
  broker.start()
  await eventually('a first failed attempt', () => lines.length > 0)
  await broker.close()
  const after = lines.length
  await new Promise((resolve) => setTimeout(resolve, 1200))
  assert.equal(lines.length, after, 'no attempt after close')
})
