/**
 * `pnpm bench`: response times of the routes that must not tell registered
 * addresses from unknown ones (register, recover-password, resend-verification),
 * for existing vs unknown addresses, against the real api process on
 * 127.0.0.1 (PGlite in a temporary folder, or BENCH_DATABASE_URL) and the
 * local RabbitMQ. A difference between the two rows of an operation is what
 * an attacker timing the api could see. Prints a table; asserts nothing.
 *
 * BENCH_N sets the requests per row (default 200, at most 2000).
 */
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { startSmtpServer, startStack } from '../packages/testing/src/index.ts'

const N = Math.min(2000, Math.max(10, Number(process.env.BENCH_N ?? 200) || 200))
const WARMUP = 20
const run = randomUUID().slice(0, 8)

type Operation = 'register' | 'recover' | 'resend'
const PATHS: Record<Operation, string> = {
  register: '/api/v1/auth/register',
  recover: '/api/v1/auth/recover-password',
  resend: '/api/v1/auth/resend-verification',
}

const address = (kind: string, i: number) => `bench-${run}-${kind}-${i}@example.com`

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)] ?? Number.NaN
}

const smtp = await startSmtpServer()
const stack = await startStack({
  smtp,
  databaseUrl: process.env.BENCH_DATABASE_URL,
  // Without a pause every request takes the full path (a mail queued or not), which is what is compared.
  env: { RESEND_COOLDOWN_SECONDS: '0', LOG_LEVEL: 'warn' },
})

async function post(path: string, email: string): Promise<number> {
  const started = performance.now()
  const res = await stack.post(path, { email })
  await res.arrayBuffer()
  if (res.status !== 202) throw new Error(`${path} answered ${res.status} for ${email}`)
  return performance.now() - started
}

try {
  await stack.up('api')
  // Unconfirmed accounts without a password: resend mails them a link, recover a reset link.
  for (let i = 0; i < N; i++) await post(PATHS.register, address('existing', i))
  for (let i = 0; i < WARMUP; i++) {
    for (const path of Object.values(PATHS)) await post(path, address(`warmup-${i}`, i))
  }

  const rows: { operation: Operation; address: string; times: number[] }[] = []
  for (const operation of Object.keys(PATHS) as Operation[]) {
    const existing: number[] = []
    const unknown: number[] = []
    // Interleaved, so drift (a busy neighbour, a growing table) hits both rows alike.
    for (let i = 0; i < N; i++) {
      existing.push(await post(PATHS[operation], address('existing', i)))
      unknown.push(await post(PATHS[operation], address(`unknown-${operation}`, i)))
    }
    rows.push(
      { operation, address: 'existing', times: existing },
      { operation, address: 'unknown', times: unknown },
    )
  }

  const fmt = (ms: number) => ms.toFixed(2).padStart(9)
  console.log(
    `\nauthmail bench: ${N} requests per row, api on ${stack.baseUrl}, ${stack.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}\n`,
  )
  console.log('operation  address     median ms    p95 ms   Δ median')
  for (const [i, row] of rows.entries()) {
    const sorted = [...row.times].sort((a, b) => a - b)
    const median = percentile(sorted, 50)
    const pair = rows[i % 2 === 0 ? i + 1 : i - 1]
    const other = percentile(
      [...(pair?.times ?? [])].sort((a, b) => a - b),
      50,
    )
    const delta = row.address === 'existing' ? fmt(median - other) : ''
    console.log(
      `${row.operation.padEnd(10)} ${row.address.padEnd(10)} ${fmt(median)} ${fmt(percentile(sorted, 95))} ${delta}`,
    )
  }
  console.log(
    '\nΔ median = existing − unknown. register is sent without a password (no hashing hides the rest).',
  )
} finally {
  await stack.close()
  await smtp.close()
}
