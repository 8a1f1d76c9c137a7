import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build, job } from './helper.ts'
import { runScript } from './processes.ts'

test('dlq list shows parked jobs; dlq replay sends chosen ones back and leaves the rest', {
  timeout: 60_000,
}, async (t) => {
  const { smtp, rabbit, raw } = await build(t)
  smtp.fail('550')
  const first = job('verify_email')
  const second = job('reset_password')
  await rabbit.publishJob(first)
  await rabbit.publishJob(second)
  await rabbit.take(rabbit.names.receipts, 2, 5000) // both failed for good
  smtp.behave()
  const cli = { AMQP_URL: raw.AMQP_URL, QUEUE_PREFIX: raw.QUEUE_PREFIX, RETRY_DELAYS_MS: raw.RETRY_DELAYS_MS }

  const list = await runScript('src/dlq.ts', ['list'], cli)
  assert.equal(list.code, 0, list.stderr)
  for (const [sent, type] of [
    [first, 'verify_email'],
    [second, 'reset_password'],
  ] as const) {
    assert.match(list.stdout, new RegExp(`${sent.id}\\s+${type}\\s+smtp_rejected\\s+\\d{4}-\\d\\d-\\d\\dT`))
  }
  assert.match(list.stdout, /2 dead job\(s\)/)
  assert.equal(await rabbit.depth(rabbit.names.dead), 2, 'listing takes nothing away')

  const one = await runScript('src/dlq.ts', ['replay', first.id], cli)
  assert.equal(one.code, 0, one.stderr)
  assert.match(one.stdout, new RegExp(`replayed ${first.id}`))
  const mail = await smtp.waitForMail((m) => m.to.includes(first.email))
  assert.equal(mail.parsed.subject, 'Confirm your e-mail address for authmail')
  assert.equal(await rabbit.depth(rabbit.names.dead), 1, 'the other job stays parked')
  assert.equal(smtp.mails.length, 1)

  const rest = await runScript('src/dlq.ts', ['replay'], cli)
  assert.match(rest.stdout, /1 job\(s\) replayed/)
  await smtp.waitForMail((m) => m.to.includes(second.email))
  assert.equal(await rabbit.depth(rabbit.names.dead), 0)

  const missing = await runScript('src/dlq.ts', ['replay', first.id], cli)
  assert.equal(missing.code, 1, 'replaying an id that is not there fails visibly')
  assert.match(missing.stdout, new RegExp(`not found ${first.id}`))
})
