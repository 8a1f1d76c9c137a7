import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startRabbitCluster } from '@authmail/testing'
import { duplicates, eventually, PREFETCH, report, waitForAll } from './helper.ts'
import {
  clusterFaultSkip,
  explainMissing,
  logCount,
  startInstances,
  startTraffic,
  untilAllReady,
} from './instances.ts'

const skip = clusterFaultSkip()

test('a rolling restart of all three nodes under traffic loses nothing; all ready within 10 s of each stop', {
  skip,
}, async (t) => {
  const cluster = await startRabbitCluster()
  t.after(() => cluster.stop())
  const instances = await startInstances({ amqpUrl: cluster.amqpUrl, apis: 2, workers: 2 })
  t.after(() => instances.close())
  const { smtp, apis } = instances

  // A steady trickle: three node restarts on two cores leave little room for more.
  const traffic = startTraffic(apis, 'rolling', { concurrency: 1, pauseMs: 100 })
  await eventually('mail flows', () => smtp.mails.length >= 10, 30_000)
  const recoveries: number[] = []
  const stops: number[] = []
  for (const [i] of cluster.nodes.entries()) {
    // What an operator waits for before taking a node down: every quorum queue keeps a majority without it.
    await cluster.awaitSafeToStop(i)
    const stoppedAt = Date.now()
    await cluster.stopNode(i)
    stops.push(Date.now() - stoppedAt)
    recoveries.push(await untilAllReady(instances, `127.0.0.1:${cluster.nodes[i]?.port}`, stoppedAt))
    await cluster.start(i)
  }
  const before = traffic.accepted.length
  await eventually(
    'registrations after the last restart',
    () => traffic.accepted.length >= before + 10,
    30_000,
  )
  await traffic.stop()

  const accepted = traffic.accepted.length
  const delivered = await waitForAll(smtp, traffic.accepted, 60_000)
  const dupes = duplicates(smtp.mails)
  const missing = traffic.accepted.filter((e) => !smtp.mails.some((m) => m.to.includes(e)))
  await explainMissing(instances, cluster, 0, missing)
  const recoverMs = Math.max(...recoveries)
  report('cluster-rolling-restart', {
    accepted,
    delivered,
    lost: accepted - delivered,
    duplicates: dupes,
    in_flight_max: PREFETCH * instances.workers.length,
    recover_ms: recoverMs,
    stop_ms: Math.max(...stops),
    renewed: logCount(instances, 'publishing on a new channel'),
  })
  assert.deepEqual(traffic.refused, [], 'both apis answered 202 throughout')
  assert.equal(accepted - delivered, 0)
  // Each stop can return what both workers hold unacked.
  const bound = PREFETCH * instances.workers.length * cluster.nodes.length
  assert.ok(dupes <= bound, `${dupes} duplicates, at most ${bound} in flight over three stops`)
  // The loss is complete when `rabbitmqctl stop_app` returns (it can take seconds on a busy machine);
  // the processes must be ready again within 10 s of that.
  const afterLoss = recoveries.map((ms, k) => ms - (stops[k] ?? 0))
  assert.ok(
    afterLoss.every((ms) => ms <= 10_000),
    `ready again ${afterLoss.join(', ')} ms after each node was down (${recoveries.join(', ')} ms after each stop began)`,
  )
})
