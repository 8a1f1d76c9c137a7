/**
 * Response times of the routes that must not tell registered addresses from
 * unknown ones (register, recover-password, resend-verification), existing vs
 * unknown, one request at a time. A difference between the two rows of an
 * operation is what an attacker timing the api could see. Needs the api to run
 * with RESEND_COOLDOWN_SECONDS=0, so every request takes the full path.
 */
import { performance } from 'node:perf_hooks'
import { percentile } from './table.ts'

type Operation = 'register' | 'recover' | 'resend'
const PATHS: Record<Operation, string> = {
  register: '/api/v1/auth/register',
  recover: '/api/v1/auth/recover-password',
  resend: '/api/v1/auth/resend-verification',
}
const WARMUP = 20

export interface EnumerationRow {
  operation: Operation
  address: 'existing' | 'unknown'
  medianMs: number
  p95Ms: number
}

export async function measureEnumeration(baseUrl: string, n: number, run: string) {
  const address = (kind: string, i: number) => `enum-${run}-${kind}-${i}@example.com`
  async function post(path: string, email: string): Promise<number> {
    const started = performance.now()
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    })
    await res.arrayBuffer()
    if (res.status !== 202) throw new Error(`${path} answered ${res.status} for ${email}`)
    return performance.now() - started
  }

  // Unconfirmed accounts without a password: resend mails them a link, recover a reset link.
  for (let i = 0; i < n; i++) await post(PATHS.register, address('existing', i))
  for (let i = 0; i < WARMUP; i++) {
    for (const path of Object.values(PATHS)) await post(path, address(`warmup-${i}`, i))
  }
  const rows: EnumerationRow[] = []
  for (const operation of Object.keys(PATHS) as Operation[]) {
    const existing: number[] = []
    const unknown: number[] = []
    // Interleaved, so drift (a busy neighbour, a growing table) hits both rows alike.
    for (let i = 0; i < n; i++) {
      existing.push(await post(PATHS[operation], address('existing', i)))
      unknown.push(await post(PATHS[operation], address(`unknown-${operation}`, i)))
    }
    for (const [kind, times] of [
      ['existing', existing],
      ['unknown', unknown],
    ] as const) {
      rows.push({ operation, address: kind, medianMs: percentile(times, 50), p95Ms: percentile(times, 95) })
    }
  }
  return rows
}

export function formatEnumeration(rows: EnumerationRow[], n: number): string {
  const fmt = (ms: number) => ms.toFixed(2).padStart(9)
  const lines = [
    `Enumeration timing: ${n} sequential requests per row (register without a password: no hashing hides the rest)`,
    '',
    'operation  address     median ms    p95 ms   Δ median',
  ]
  for (const [i, r] of rows.entries()) {
    const other = rows[i % 2 === 0 ? i + 1 : i - 1]
    const delta = r.address === 'existing' && other ? fmt(r.medianMs - other.medianMs) : ''
    lines.push(
      `${r.operation.padEnd(10)} ${r.address.padEnd(10)} ${fmt(r.medianMs)} ${fmt(r.p95Ms)} ${delta}`,
    )
  }
  lines.push('', 'Δ median = existing − unknown.')
  return lines.join('\n')
}
