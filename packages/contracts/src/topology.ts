/**
 * Exchange, queue and routing-key names of DESIGN §4. `prefix` keeps test runs
 * (and several deployments sharing one vhost) apart; production leaves it empty.
 */
export function topologyNames(prefix = '') {
  const p = prefix
  return {
    exchange: `${p}authmail`,
    jobs: `${p}mail.jobs`,
    jobsRoutingKey: `${p}mail.job`,
    dead: `${p}mail.jobs.dead`,
    deadRoutingKey: `${p}mail.dead`,
    receipts: `${p}mail.receipts`,
    receiptsRoutingKey: `${p}mail.receipt`,
    retries: [
      { name: `${p}mail.jobs.retry.10s`, ttlMs: 10_000 },
      { name: `${p}mail.jobs.retry.1m`, ttlMs: 60_000 },
      { name: `${p}mail.jobs.retry.10m`, ttlMs: 600_000 },
    ],
  } as const
}

export type TopologyNames = ReturnType<typeof topologyNames>

/** Header that carries the HTTP request id from the api into the worker's logs. */
export const REQUEST_ID_HEADER = 'x-request-id'
