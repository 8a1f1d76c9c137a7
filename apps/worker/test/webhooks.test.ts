import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type TestContext, test } from 'node:test'
import type { AuthmailEvent } from '@authmail/contracts'
import { json } from '@authmail/testing'
import { Webhook } from 'standardwebhooks'
import { build, job } from './helper.ts'

const SECRET = `whsec_${randomBytes(32).toString('base64')}`

interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/** A real HTTP receiver; `answer` decides, per POST (numbered from 0), what it does. */
async function receiver(t: TestContext, answer: (index: number, res: ServerResponse) => void) {
  const received: Received[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      answer(received.length - 1, res)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    async waitFor(count: number, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (received.length < count) {
        if (Date.now() > deadline)
          throw new Error(`${received.length} of ${count} POSTs within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      return received
    },
  }
}

const event = (): AuthmailEvent => ({
  id: randomUUID(),
  type: 'user.registered',
  occurred_at: new Date().toISOString(),
  user_id: randomUUID(),
  data: { email: 'ann@example.com', locale: 'en' },
})

/** What a receiver does with a POST: verify it with the secret; throws unless signed by it. */
const verify = (post: Received) =>
  new Webhook(SECRET).verify(post.body, post.headers as Record<string, string>)

const status = (code: number) => (_: number, res: ServerResponse) => res.writeHead(code).end()

test('an event is POSTed signed as Standard Webhooks says, and the receiver verifies it', async (t) => {
  const hook = await receiver(t, status(204))
  const { rabbit } = await build(t, { env: { WEBHOOK_URL: hook.url, WEBHOOK_SECRET: SECRET } })
  const sent = event()
  await rabbit.publishEvent(sent)

  const [post] = await hook.waitFor(1)
  assert.ok(post)
  assert.deepEqual(verify(post), sent)
  assert.equal(post.headers['webhook-id'], sent.id)
  assert.equal(post.headers['content-type'], 'application/json')
  const other = new Webhook(`whsec_${randomBytes(32).toString('base64')}`)
  assert.throws(() => other.verify(post.body, post.headers as Record<string, string>), /signature/i)
})

test('a receiver that answers 500 gets the event again, with the same id, after the first retry tier', async (t) => {
  const hook = await receiver(t, (index, res) => res.writeHead(index === 0 ? 500 : 200).end())
  const { rabbit, worker } = await build(t, { env: { WEBHOOK_URL: hook.url, WEBHOOK_SECRET: SECRET } })
  const sent = event()
  await rabbit.publishEvent(sent)

  const [first, second] = await hook.waitFor(2)
  assert.ok(first && second)
  assert.equal(second.headers['webhook-id'], first.headers['webhook-id'], 'receivers deduplicate on it')
  assert.deepEqual(verify(second), sent)
  await new Promise((resolve) => setTimeout(resolve, 1500)) // past every tier: no third POST
  assert.equal(hook.received.length, 2)
  const delivered = await worker.metrics.webhookDeliveries.get()
  const count = (outcome: string) => delivered.values.find((v) => v.labels.outcome === outcome)?.value
  assert.equal(count('retry'), 1)
  assert.equal(count('delivered'), 1)
})

test('after the last retry tier the event is parked in webhooks.dead with the last error', async (t) => {
  const hook = await receiver(t, status(500))
  const { rabbit, env } = await build(t, { env: { WEBHOOK_URL: hook.url, WEBHOOK_SECRET: SECRET } })
  const sent = event()
  await rabbit.publishEvent(sent)

  const [dead] = await rabbit.take(rabbit.names.webhooksDead, 1, 15_000)
  assert.ok(dead)
  assert.deepEqual(json(dead), sent)
  assert.equal(dead.properties.headers?.['x-last-error'], 'receiver answered 500')
  assert.equal(hook.received.length, 1 + env.RETRY_DELAYS_MS.length, 'the first POST and one per tier')
})

test('a receiver that never answers holds up no mail', async (t) => {
  const hook = await receiver(t, () => {}) // keeps every POST open until the test ends
  const { rabbit, smtp } = await build(t, {
    env: { WEBHOOK_URL: hook.url, WEBHOOK_SECRET: SECRET, WEBHOOK_PREFETCH: '1' },
  })
  for (let i = 0; i < 3; i++) await rabbit.publishEvent(event())
  await hook.waitFor(1)

  const mail = job('verify_email')
  await rabbit.publishJob(mail)
  await smtp.waitForMail((m) => m.to.includes(mail.email), 10_000)
  assert.equal(hook.received.length, 1, 'the webhook consumer is still waiting on its first POST')
})
