import assert from 'node:assert/strict'
import { test } from 'node:test'
import { listenToEvents, TEST_AMQP_URL } from '@authmail/testing'
import { build, closeBeforeApi } from '../helper.ts'
import { address, eventually, rabbitProxy } from './helper.ts'

test('events recorded while RabbitMQ is unreachable are all published, once each, when it returns', async (t) => {
  const proxy = await rabbitProxy()
  t.after(() => proxy.close())
  const api = await build(t, { env: { AMQP_URL: proxy.via(TEST_AMQP_URL) } })
  await api.broker.whenConnected()
  // The product's queue is bound before the outage, directly to the broker: only the api is cut off.
  const listener = await listenToEvents(api.env.QUEUE_PREFIX)
  closeBeforeApi(t, api, listener.close)

  await proxy.cut()
  await eventually('the api notices the broker is gone', () => !api.broker.isConnected())
  const emails = Array.from({ length: 10 }, (_, i) => address('event-outage', i))
  for (const email of emails) {
    assert.equal((await api.inject({ method: 'POST', url: '/register', payload: { email } })).statusCode, 202)
  }
  assert.equal((await api.relay.lag()).pending, emails.length * 2, 'a mail job and an event per registration')
  assert.equal(listener.received.length, 0)

  await proxy.restore()
  await eventually('every event arrived', () => listener.received.length >= emails.length, 30_000)
  await eventually('the outbox is empty', async () => (await api.relay.lag()).pending === 0)
  const registered = listener.received.map((e) => (e.data as { email: string }).email).sort()
  assert.deepEqual(registered, [...emails].sort(), 'each address once, none lost')
})
