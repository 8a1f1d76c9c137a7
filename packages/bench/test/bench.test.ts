import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

// Speed is not asserted here (no timed tests): only that the bench runs and reports every figure.
test('pnpm bench runs every figure and prints every row of its tables', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authmail-bench-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const json = join(dir, 'bench.json')
  const { BENCH_DATABASE_URL: _ignored, ...env } = process.env
  const child = spawn(
    process.execPath,
    [
      '--conditions=@authmail/source',
      '--import',
      'tsx',
      'scripts/bench.ts',
      // The TypeScript as it is, without building dist/ first: what is checked is the bench, not the build.
      '--source',
      '--seconds',
      '1',
      '--backlog',
      '300',
      '--json',
      json,
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk
  })
  const [code] = await once(child, 'exit')
  assert.equal(code, 0, `bench failed:\n${err}`)

  const rows: [figure: string, what: string][] = [
    ['P1', 'POST /register, 50 connections'],
    ['P1', 'POST /register p99'],
    ['P1', 'machine CPU per request (all processes)'],
    ['P2', 'worker CPU per mail'],
    ['P2', 'api CPU per mail (its receipt)'],
    ['P2', 'machine CPU per mail (all processes)'],
    ['P2', 'worker, mails/s'],
    ['P3', 'register → SMTP p50 at 100 req/s'],
    ['P3', 'register → SMTP p99 at 100 req/s'],
    ['P3', 'register → SMTP p99 at 500 req/s'],
    ['P4', 'api RSS after the run'],
    ['P4', 'worker RSS after its figures'],
    ['P5', 'worker drains 300 queued jobs'],
    ['P5', 'relay publishes 300 outbox rows'],
    ['P6', 'GET /healthz p99 during login load'],
    ['P6', 'POST /login, 50 connections'],
    ['P6', 'machine CPU per login (all processes)'],
  ]
  for (const [figure, what] of rows) {
    assert.match(
      out,
      new RegExp(`\\| ${figure} \\| ${what.replace(/[/()]/g, '\\$&')}.*\\| +[\\d,.]+ [A-Za-z/]+ \\|`),
      `${figure} ${what}`,
    )
  }
  for (const operation of ['register', 'recover', 'resend']) {
    for (const address of ['existing', 'unknown'])
      assert.match(out, new RegExp(`^${operation} +${address} +\\d`, 'm'))
  }

  const report = JSON.parse(readFileSync(json, 'utf8'))
  assert.equal(report.database, 'PGlite')
  assert.equal(report.rows.length, rows.length)
  for (const row of report.rows)
    assert.ok(Number.isFinite(row.value), `${row.figure} ${row.what} has a value`)
  assert.equal(report.enumeration.length, 6)
})
