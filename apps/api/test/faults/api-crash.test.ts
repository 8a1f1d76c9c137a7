import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TEST_AMQP_URL } from '@authmail/testing'
import { address, faultStack, rabbitProxy, readiness, report } from './helper.ts'

test('the api killed after committing a registration, before publishing it: the mail goes out after a restart', async (t) => {
  // The api reaches RabbitMQ through a proxy that is cut: its relay cannot publish, so the job waits in the outbox.
  const proxy = await rabbitProxy()
  await proxy.cut()
  const { smtp, stack } = await faultStack(t, {
    envFor: { api: { AMQP_URL: proxy.via(TEST_AMQP_URL) } },
    cleanup: [proxy.close],
  })
  await stack.up('worker')
  stack.start('api')
  await stack.apiLive()

  const email = address('crashed', 0)
  assert.equal((await stack.post('/register', { email })).status, 202)
  const before = await readiness(stack.baseUrl)
  assert.equal(before.broker, 'down')
  assert.equal(before.outbox?.pending, 2, 'committed (the mail job and user.registered), not published')
  await stack.stop('api', 'SIGKILL')

  await proxy.restore()
  const restarted = Date.now()
  await stack.up('api')
  await smtp.waitForMail((m) => m.to.includes(email), 15_000)
  const recoverMs = Date.now() - restarted
  const after = await readiness(stack.baseUrl)

  const delivered = smtp.mails.filter((m) => m.to.includes(email)).length
  report('api-sigkill-before-publish', {
    accepted: 1,
    delivered,
    lost: 1 - delivered,
    duplicates: delivered - 1,
    recover_ms: recoverMs,
  })
  assert.equal(delivered, 1)
  assert.equal(after.outbox?.pending, 0)
})
