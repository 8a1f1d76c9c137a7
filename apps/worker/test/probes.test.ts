import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { METRICS } from '@authmail/contracts'
import { createLogger } from '@authmail/logger'
import { deleteTestTopology, startSmtpServer, startTcpProxy, TEST_AMQP_URL } from '@authmail/testing'
import { loadWorkerEnv } from '../src/env.ts'
import { createProbeServer } from '../src/probes.ts'
import { createWorker, type Worker } from '../src/worker.ts'
import { build, job, testEnv } from './helper.ts'

/** The worker's probe server on a free port, closed in t.after. */
const logger = createLogger('silent', 'worker')

async function serveProbes(t: TestContext, worker: Worker) {
  const probes = createProbeServer(worker, logger)
  const { port } = await probes.listen(0, '127.0.0.1')
  t.after(() => probes.close())
  return async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    const text = await response.text()
    return { status: response.status, type: response.headers.get('content-type'), text }
  }
}

/** The value of one sample in Prometheus text, e.g. `authmail_mails_sent_total{kind="verify_email"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

test('/healthz answers, /readyz is 200 while consuming, /metrics lists the worker metrics', async (t) => {
  const { worker } = await build(t)
  const get = await serveProbes(t, worker)

  const health = await get('/healthz')
  assert.equal(health.status, 200)
  assert.deepEqual(JSON.parse(health.text), { status: 'ok' })

  const ready = await get('/readyz')
  assert.equal(ready.status, 200, ready.text)
  const { brokerNode, ...state } = JSON.parse(ready.text)
  assert.deepEqual(state, { ready: true, stopping: false, broker: 'consuming', smtp: 'up' })
  const amqp = new URL(TEST_AMQP_URL)
  assert.equal(brokerNode.node, `${amqp.hostname}:${amqp.port || 5672}`, 'names the RabbitMQ node in use')

  const metrics = await get('/metrics')
  assert.equal(metrics.status, 200)
  assert.match(metrics.type ?? '', /^text\/plain/)
  for (const [name, spec] of Object.entries(METRICS)) {
    if (spec.process === 'worker') assert.match(metrics.text, new RegExp(`^# TYPE ${name} `, 'm'))
  }
  assert.match(metrics.text, /^authmail_process_resident_memory_bytes \d+/m, 'process metrics, prefixed')

  assert.equal((await get('/nope')).status, 404)
})

test('/readyz is 503 while RabbitMQ is unreachable and 200 once the worker consumes', async (t) => {
  const smtp = await startSmtpServer()
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(TEST_AMQP_URL).port || 5672) })
  await proxy.cut()
  const env = loadWorkerEnv(
    testEnv({ AMQP_URL: proxy.via(TEST_AMQP_URL), SMTP_URL: smtp.url, SMTP_CA_FILE: smtp.caFile }),
  )
  const worker = createWorker(env, logger)
  t.after(async () => {
    await worker.stop(1000)
    await proxy.close()
    await deleteTestTopology(env.QUEUE_PREFIX, env.RETRY_DELAYS_MS)
    await smtp.close()
  })
  await worker.start()
  const get = await serveProbes(t, worker)

  const down = await get('/readyz')
  assert.equal(down.status, 503)
  assert.equal(JSON.parse(down.text).broker, 'down')
  assert.equal(JSON.parse(down.text).brokerNode, null, 'no node while disconnected')
  assert.equal((await get('/healthz')).status, 200, 'alive all the same')

  await proxy.restore()
  await worker.broker.whenConnected(20_000)
  const up = await until('ready', async () => {
    const ready = await get('/readyz')
    return ready.status === 200 ? ready : undefined
  })
  assert.equal(JSON.parse(up.text).broker, 'consuming')
})

test('/readyz is 503 when the SMTP server is unreachable', async (t) => {
  const { worker, smtp } = await build(t)
  await smtp.close()
  const get = await serveProbes(t, worker)
  const ready = await get('/readyz')
  assert.equal(ready.status, 503)
  assert.equal(JSON.parse(ready.text).smtp, 'down')
})

test('after real mails the counters, the SMTP histogram and the dead-letter depth show them', async (t) => {
  const { worker, rabbit, smtp } = await build(t)
  const get = await serveProbes(t, worker)

  const sent = [job('verify_email'), job('verify_email'), job('reset_password')]
  for (const each of sent) await rabbit.publishJob(each)
  for (const each of sent) await smtp.waitForMail((m) => m.to.includes(each.email), 8000)

  smtp.fail('450', { times: 1 })
  const retried = job('set_password')
  await rabbit.publishJob(retried)
  await smtp.waitForMail((m) => m.to.includes(retried.email), 8000)

  smtp.fail('550')
  await rabbit.publishJob(job('account_exists'))
  await until('dead letter', async () => ((await rabbit.depth(rabbit.names.dead)) === 1 ? true : undefined))
  await worker.queueDepths.refresh()

  const { text } = await get('/metrics')
  assert.equal(sample(text, 'authmail_mails_sent_total{kind="verify_email"}'), 2)
  assert.equal(sample(text, 'authmail_mails_sent_total{kind="reset_password"}'), 1)
  assert.equal(sample(text, 'authmail_mails_sent_total{kind="set_password"}'), 1)
  assert.equal(sample(text, 'authmail_mail_failures_total{kind="set_password",outcome="retry"}'), 1)
  assert.equal(sample(text, 'authmail_mail_failures_total{kind="account_exists",outcome="dead"}'), 1)
  assert.equal(sample(text, 'authmail_smtp_send_duration_seconds_count'), 6, 'every attempt is timed')
  assert.ok((sample(text, 'authmail_smtp_send_duration_seconds_sum') ?? 0) > 0)
  assert.equal(sample(text, 'authmail_jobs_in_flight'), 0)
  assert.equal(sample(text, `authmail_queue_messages{queue="${rabbit.names.dead}"}`), 1)
  assert.equal(sample(text, `authmail_queue_messages{queue="${rabbit.names.jobs}"}`), 0)
  for (const retry of rabbit.names.retries) {
    assert.equal(sample(text, `authmail_queue_messages{queue="${retry.name}"}`), 0)
  }
})

test('a job delivered twice to one worker counts one duplicate and sends once', async (t) => {
  const { worker, rabbit, smtp } = await build(t)
  const get = await serveProbes(t, worker)
  const twice = job('no_account')
  await rabbit.publishJob(twice)
  await smtp.waitForMail((m) => m.to.includes(twice.email), 8000)
  await rabbit.publishJob(twice)
  await until('duplicate', async () => (worker.stats.duplicates === 1 ? true : undefined))
  const { text } = await get('/metrics')
  assert.equal(sample(text, 'authmail_duplicates_skipped_total'), 1)
  assert.equal(sample(text, 'authmail_mails_sent_total{kind="no_account"}'), 1)
})
