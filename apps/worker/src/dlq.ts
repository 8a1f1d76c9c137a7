import { brokerFromEnv } from '@authmail/broker'
import { exitOnConfigError } from '@authmail/config'
import { loggerOptions } from '@authmail/logger'
import pino from 'pino'
import { type DeadLetter, listDead, replayDead } from './dead-letters.ts'
import { type BrokerEnv, loadBrokerEnv } from './env.ts'

const USAGE = `usage: dlq list              show the jobs parked in mail.jobs.dead
       dlq replay [id ...]   send them (all, or the given ids) back to mail.jobs`

const [command, ...ids] = process.argv.slice(2)
if (command !== 'list' && command !== 'replay') {
  process.stderr.write(`${USAGE}\n`)
  process.exit(64) // EX_USAGE
}

let env: BrokerEnv
try {
  env = loadBrokerEnv()
} catch (error) {
  exitOnConfigError(error)
}

// stdout is the command's output; log lines (e.g. "RabbitMQ is not reachable") go to stderr.
const logger = pino(
  loggerOptions(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, 'dlq'),
  pino.destination(2),
)
const broker = brokerFromEnv(env, { name: 'authmail-dlq', logger })

function table(rows: DeadLetter[]): string {
  const lines = [
    ['ID', 'TYPE', 'REASON', 'WHEN', 'ERROR'],
    ...rows.map((r) => [r.id, r.type, r.reason, r.when, r.error]),
  ]
  const widths = [0, 1, 2, 3].map((i) => Math.max(...lines.map((l) => (l[i] ?? '').length)))
  return lines
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

try {
  broker.start()
  await broker.whenConnected(15_000)
  if (command === 'list') {
    const dead = await listDead(broker)
    process.stdout.write(dead.length ? `${table(dead)}\n${dead.length} dead job(s)\n` : 'no dead jobs\n')
  } else {
    const { replayed, missing } = await replayDead(broker, ids)
    for (const id of replayed) process.stdout.write(`replayed ${id}\n`)
    for (const id of missing) process.stdout.write(`not found ${id}\n`)
    process.stdout.write(`${replayed.length} job(s) replayed\n`)
    process.exitCode = missing.length ? 1 : 0
  }
} catch (error) {
  process.stderr.write(`dlq ${command} failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
} finally {
  await broker.close({ drainTimeoutMs: 0 })
}
