import assert from 'node:assert/strict'
import { test } from 'node:test'
import { address, duplicates, eventually, faultStack, PREFETCH, report, waitForAll } from './helper.ts'

const JOBS = 30

test('a worker killed with SIGKILL mid-delivery: all mail goes out after a restart, duplicates ≤ jobs in flight', async (t) => {
  const { smtp, stack } = await faultStack(t)
  await Promise.all([stack.up('api'), stack.up('worker')])
  // Each 250 comes late, so several jobs are always between "sent" and "acked".
  smtp.slow(250)
  const emails = Array.from({ length: JOBS }, (_, i) => address('killed', i))
  const accepted = (await Promise.all(emails.map((email) => stack.post('/register', { email })))).filter(
    (r) => r.status === 202,
  ).length
  assert.equal(accepted, JOBS)

  await eventually('some mail is through', () => smtp.mails.length >= 5)
  await stack.stop('worker', 'SIGKILL')
  const killedAt = Date.now()
  const beforeRestart = smtp.mails.length
  assert.ok(beforeRestart < JOBS, 'the kill came while jobs were still waiting')
  smtp.behave()
  await stack.up('worker')
  const delivered = await waitForAll(smtp, emails, 30_000)
  const recoverMs = Date.now() - killedAt

  const lost = accepted - delivered
  const dupes = duplicates(smtp.mails)
  // The prefetch window bounds the jobs a worker holds unacked: at most that many can be sent twice.
  report('worker-sigkill', {
    accepted,
    delivered,
    lost,
    duplicates: dupes,
    in_flight_max: PREFETCH,
    sent_before_kill: beforeRestart,
    recover_ms: recoverMs,
  })
  assert.equal(lost, 0)
  assert.ok(dupes <= PREFETCH, `${dupes} duplicates with at most ${PREFETCH} jobs in flight`)
})
