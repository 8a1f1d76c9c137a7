/**
 * `pnpm bench [--seconds N] [--backlog N] [--json [file]] [--worker-only] [--source]`: the performance
 * figures P1–P6 of issue 10, each beside a floor measured in the same run, on
 * loopback: the real api and worker processes (started as `pnpm api` and
 * `pnpm worker` start them), PGlite in a temporary folder or the PostgreSQL
 * of BENCH_DATABASE_URL, the local RabbitMQ (BENCH_AMQP_URL), a STARTTLS SMTP
 * sink, and load from processes of their own. Then the enumeration-timing
 * table. Prints figures; asserts nothing (exit 1 only if the bench could not run).
 *
 * Order matters on a small machine: the worker figures run first, then the
 * worker is stopped so the api figures (register, login) have the cores to
 * themselves, as their floors do. See docs/performance.md.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { measureInsertFloor, measureLogin, measureRegister } from './bench/api-figures.ts'
import { createContext } from './bench/context.ts'
import { formatEnumeration, measureEnumeration } from './bench/enumeration.ts'
import { formatTable, type Row, row } from './bench/table.ts'
import { measureBacklogs, measureLatency, measureWorker } from './bench/worker-figures.ts'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    backlog: { type: 'string', default: '10000' },
    json: { type: 'string' },
    // Only P2, P5 and the worker's RSS: for whoever works on the worker.
    'worker-only': { type: 'boolean', default: false },
    // The apps' TypeScript through tsx (what `pnpm api` runs) instead of compiled dist/, without building.
    source: { type: 'boolean', default: false },
  },
  // `--json` alone (no file) is allowed: parseArgs needs a value, so it is handled below.
  args: process.argv
    .slice(2)
    .flatMap((arg, i, all) =>
      arg === '--json' && (all[i + 1] === undefined || all[i + 1]?.startsWith('--'))
        ? [arg, 'bench.json']
        : [arg],
    ),
})
const seconds = Number(values.seconds)
const workerOnly = values['worker-only']
const backlog = Number(values.backlog)
if (!(seconds > 0) || !(backlog > 0)) {
  console.error('usage: pnpm bench [--seconds N] [--backlog N] [--json [file]] [--worker-only] [--source]')
  process.exit(2)
}
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined
const database = databaseUrl ? 'PostgreSQL' : 'PGlite'
const step = (text: string) => console.error(`bench: ${text}`)

const form = values.source ? 'source' : 'compiled'
if (form === 'compiled') {
  // Production runs dist/: build it, so the figures are never those of a stale build.
  step('pnpm build (the apps as production runs them; --source skips this)')
  const build = spawnSync('pnpm', ['build'], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (build.status !== 0) {
    console.error('bench: pnpm build failed')
    process.exit(1)
  }
}

const ctx = await createContext({
  form,
  seconds,
  backlog,
  connections: 50,
  databaseUrl,
  amqpUrl: process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
})
const rows: Row[] = []
const notes: string[] = []
let enumeration: Awaited<ReturnType<typeof measureEnumeration>> = []
const enumerationN = Math.min(200, Math.max(10, Math.round(seconds * 20)))
const noteFailures = (failures: [string, number][]) => {
  for (const [what, count] of failures) if (count > 0) notes.push(`${what}: ${count}`)
}

try {
  step(`P5: ${backlog} outbox rows published by the relay, then drained by the worker`)
  const backlogs = await measureBacklogs(ctx)
  notes.push(
    `P5 worker: first mail ${Math.round(backlogs.firstMailMs)} ms after it connected to RabbitMQ; ` +
      `second half of the backlog at ${Math.round(backlogs.secondHalfPerSecond)} mails/s`,
  )
  await ctx.settle()

  if (!workerOnly) {
    step('enumeration timing')
    enumeration = await measureEnumeration(ctx.baseUrl, enumerationN, ctx.run)
    await ctx.settle()
  }

  step('P2: worker beside a raw nodemailer pool')
  const worker = await measureWorker(ctx)
  await ctx.settle()
  rows.push(
    // Not a target: CPU per mail does not depend on what else the machine runs, so it shows the
    // worker's own cost even when a busy neighbour makes the rates jump.
    row(
      'P2',
      'worker CPU per mail',
      worker.cpuMsPerMail,
      'ms',
      { value: worker.floorCpuMsPerMail, what: 'raw nodemailer pool' },
      null,
    ),
    row('P2', 'api CPU per mail (its receipt)', worker.apiCpuMsPerMail, 'ms', null, null),
    row(
      'P2',
      'machine CPU per mail (all processes)',
      worker.machineCpuMsPerMail,
      'ms',
      { value: worker.floorMachineCpuMsPerMail, what: 'raw nodemailer pool' },
      null,
    ),
  )
  rows.push(
    row(
      'P2',
      'worker, mails/s (queue never empty)',
      worker.perSecond,
      'mails/s',
      { value: worker.floorPerSecond, what: 'raw nodemailer pool' },
      { op: '>=', value: 0.8, of: 'ratio' },
    ),
    row(
      'P5',
      `worker drains ${backlog} queued jobs`,
      backlogs.drainPerSecond,
      'mails/s',
      { value: worker.perSecond, what: 'P2 worker' },
      { op: '>=', value: 1, of: 'ratio' },
    ),
    row('P5', `relay publishes ${backlog} outbox rows`, backlogs.relayPerSecond, 'rows/s', null, {
      op: '>=',
      value: 5000,
      of: 'value',
    }),
  )

  if (!workerOnly) {
    step('P3: register → mail accepted, at 100 and 500 requests/s')
    const slow = await measureLatency(ctx, 100)
    await ctx.settle()
    const fast = await measureLatency(ctx, 500)
    await ctx.settle()
    rows.push(
      row('P3', 'register → SMTP p50 at 100 req/s', slow.p50, 'ms', null, {
        op: '<=',
        value: 30,
        of: 'value',
      }),
      row('P3', 'register → SMTP p99 at 100 req/s', slow.p99, 'ms', null, {
        op: '<=',
        value: 100,
        of: 'value',
      }),
      row(
        'P3',
        'register → SMTP p99 at 500 req/s',
        fast.p99,
        'ms',
        null,
        databaseUrl ? { op: '<=', value: 250, of: 'value' } : null,
      ),
    )
    noteFailures([
      ['P3 100 req/s: failed requests', slow.errors],
      ['P3 100 req/s: mails that never arrived', slow.missing],
      ['P3 500 req/s: failed requests', fast.errors],
      ['P3 500 req/s: mails that never arrived', fast.missing],
    ])
  }
  const workerRss = ctx.apps.rssMb('worker')
  rows.push(
    row('P4', 'worker RSS after its figures', workerRss, 'MB', null, { op: '<=', value: 120, of: 'value' }),
  )
  await ctx.apps.stop('worker')

  if (!workerOnly) {
    step('P1: POST /register at 50 connections (worker stopped)')
    const insertFloor = databaseUrl ? await measureInsertFloor(ctx, databaseUrl) : null
    const register = await measureRegister(ctx)
    const floorText = 'Fastify + INSERT'
    rows.push(
      insertFloor
        ? row(
            'P1',
            'POST /register, 50 connections',
            register.perSecond,
            'req/s',
            { value: insertFloor.perSecond, what: floorText },
            { op: '>=', value: 0.6, of: 'ratio' },
          )
        : row('P1', 'POST /register, 50 connections', register.perSecond, 'req/s', null, {
            op: '>=',
            value: 1500,
            of: 'value',
          }),
      row(
        'P1',
        'POST /register p99',
        register.p99,
        'ms',
        insertFloor ? { value: insertFloor.p99, what: floorText } : null,
        { op: '<=', value: databaseUrl ? 25 : 50, of: 'value' },
      ),
      // Not a target: what a request costs every process together (api, database, RabbitMQ, the
      // relay, the load generator), the bound on the rate once both cores are busy.
      row(
        'P1',
        'machine CPU per request (all processes)',
        register.machineCpuMsPerRequest,
        'ms',
        insertFloor ? { value: insertFloor.machineCpuMsPerRequest, what: floorText } : null,
        null,
      ),
    )
    noteFailures([
      ['P1 register answers other than 202', register.errors],
      ['P1 floor answers other than 202', insertFloor?.errors ?? 0],
    ])

    step('P6: POST /login at 50 connections, /healthz meanwhile')
    const login = await measureLogin(ctx)
    rows.push(
      row('P6', 'GET /healthz p99 during login load', login.healthzP99, 'ms', null, {
        op: '<=',
        value: 10,
        of: 'value',
      }),
      row(
        'P6',
        'POST /login, 50 connections',
        login.login.perSecond,
        'req/s',
        { value: login.argon2PerSecond, what: 'argon2 verify' },
        { op: '>=', value: 0.9, of: 'ratio' },
      ),
      row(
        'P6',
        'machine CPU per login (all processes)',
        login.login.machineCpuMsPerRequest,
        'ms',
        { value: login.argon2MachineCpuMs, what: 'argon2 verify' },
        null,
      ),
    )
    noteFailures([
      ['P6 login answers other than 200/403', login.login.errors],
      ['P6 /healthz failures', login.healthzErrors],
    ])
  }
  // Read like the worker's, once what the run gave it is done: logins autocannon left queued are
  // still hashing when the load ends, and their argon2 memory (19 MiB each) comes and goes with them.
  await ctx.apps.idle('api')
  const apiRss = ctx.apps.rssMb('api')
  rows.push(
    row('P4', 'api RSS after the run', apiRss, 'MB', null, {
      op: '<=',
      value: databaseUrl ? 150 : 250,
      of: 'value',
    }),
  )
  // In figure order, whatever order they were measured in.
  rows.sort((x, y) => x.figure.localeCompare(y.figure))
} catch (error) {
  console.error(error)
  process.exitCode = 1
} finally {
  await ctx.close()
}

if (rows.length) {
  console.log(
    `\nauthmail bench: ${database}, ${form === 'compiled' ? 'compiled dist/' : 'TypeScript via tsx'}, ${seconds} s per figure, ${availableParallelism()} cores, node ${process.version}\n`,
  )
  console.log(formatTable(rows))
  console.log(
    '\nFloors run in the same run on the same machine. Worker figures first; then the worker is stopped for P1 and P6.',
  )
  for (const note of notes) console.log(`note: ${note}`)
  if (enumeration.length) console.log(`\n${formatEnumeration(enumeration, enumerationN)}`)
}
if (values.json && rows.length) {
  const report = {
    database,
    form,
    seconds,
    backlog,
    cores: availableParallelism(),
    node: process.version,
    date: new Date().toISOString(),
    rows,
    notes,
    enumeration,
  }
  writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`\nwrote ${values.json}`)
}
