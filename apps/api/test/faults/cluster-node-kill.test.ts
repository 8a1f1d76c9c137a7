import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startRabbitCluster } from '@authmail/testing'
import { duplicates, eventually, PREFETCH, readiness, report, waitForAll } from './helper.ts'
import {
  clusterFaultSkip,
  explainMissing,
  logCount,
  startInstances,
  startTraffic,
  untilAllReady,
} from './instances.ts'

const skip = clusterFaultSkip()

test('a cluster node killed mid-traffic: both apis keep accepting, every job is mailed, all ready within 10 s', {
  skip,
}, async (t) => {
  const cluster = await startRabbitCluster()
  t.after(() => cluster.stop())
  const instances = await startInstances({ amqpUrl: cluster.amqpUrl, apis: 2, workers: 2 })
  // Registered after the cluster's: hooks run in order, so the processes stop before the nodes do.
  t.after(() => instances.close())
  const { smtp, apis } = instances

  // Every process prefers the first node of AMQP_URL: killing it moves all of them, and the queue leaders.
  const victim = 0
  for (const api of apis)
    assert.equal((await readiness(api.baseUrl)).brokerNode?.node, `127.0.0.1:${cluster.nodes[victim]?.port}`)

  const traffic = startTraffic(apis, 'node-kill')
  await eventually('mail flows', () => smtp.mails.length >= 20, 30_000)
  cluster.kill(victim)
  const killedAt = Date.now()
  const recoverMs = await untilAllReady(instances, `127.0.0.1:${cluster.nodes[victim]?.port}`, killedAt)
  // Traffic goes on a little after the recovery, then stops.
  await eventually('more registrations after the recovery', () => traffic.accepted.length >= 40, 30_000)
  await traffic.stop()

  const accepted = traffic.accepted.length
  const delivered = await waitForAll(smtp, traffic.accepted, 60_000)
  const dupes = duplicates(smtp.mails)
  const missing = traffic.accepted.filter((e) => !smtp.mails.some((m) => m.to.includes(e)))
  await explainMissing(instances, cluster, 1, missing)
  report('cluster-node-kill', {
    accepted,
    delivered,
    lost: accepted - delivered,
    duplicates: dupes,
    in_flight_max: PREFETCH * instances.workers.length,
    recover_ms: recoverMs,
    // Consumers the queue stopped feeding after the leader moved, found and subscribed again.
    resubscribed: logCount(instances, 'subscribing again'),
    // Publisher channels replaced after a nack (a channel that kept the lost node as a queue's leader).
    renewed: logCount(instances, 'publishing on a new channel'),
  })
  for (const api of apis) {
    const node = (await readiness(api.baseUrl)).brokerNode?.node
    assert.notEqual(node, `127.0.0.1:${cluster.nodes[victim]?.port}`, 'the api moved to a surviving node')
  }
  assert.deepEqual(traffic.refused, [], 'both apis answered 202 throughout')
  assert.equal(accepted - delivered, 0)
  assert.ok(dupes <= PREFETCH * instances.workers.length, `${dupes} duplicates`)
  assert.ok(recoverMs <= 10_000, `ready again after ${recoverMs} ms`)
  // The workers' consumers are back on surviving nodes (a quorum queue keeps those of the dead node until it returns).
  const consumers = (await cluster.ctl(1, 'list_consumers', 'queue_name', 'channel_pid'))
    .split('\n')
    .map((line) => line.trim().split('\t'))
    .filter(
      ([queue, channel]) =>
        queue === `${instances.prefix}mail.jobs` && !channel?.includes(`${cluster.nodes[victim]?.name}.`),
    )
  assert.equal(consumers.length, 2)
})
