/** P5 (relay and worker backlogs), P2 (worker beside raw nodemailer) and P3 (register → SMTP). */
import { setTimeout as sleep } from 'node:timers/promises'
import { createComposer } from '../../apps/worker/src/compose.ts'
import { loadWorkerEnv } from '../../apps/worker/src/env.ts'
import { createTokens } from '../../packages/tokens/src/index.ts'
import { machineBusyMs, runChild, wallClock } from './child.ts'
import type { Context } from './context.ts'
import type { MailFloorConfig } from './floors/nodemailer-pool.ts'
import { insertOutboxBacklog } from './outbox.ts'
import type { PacedConfig, PacedSample } from './paced.ts'
import { percentile } from './table.ts'

/**
 * Outbox rows written while the api is stopped, published by the relay once
 * it starts (rows/s from its broker connection to the last row published);
 * then the worker starts and drains those jobs (mails/s from its broker
 * connection to the last mail at the sink).
 */
export async function measureBacklogs(ctx: Context) {
  const { backlog } = ctx.options
  // A first start runs the migrations; the rows go in while it is stopped.
  await ctx.up('api')
  await ctx.apps.stop('api')
  await insertOutboxBacklog(
    { databaseUrl: ctx.options.databaseUrl, dataDir: ctx.dataDir },
    backlog,
    `relay-${ctx.run}`,
  )

  const started = await ctx.up('api')
  const relayFrom = Math.max(started.connectedAt, started.listeningAt ?? 0)
  let relayUntil = 0
  for (;;) {
    const { pending } = await ctx.readyz()
    if (pending === 0) {
      relayUntil = Date.now()
      break
    }
    if (Date.now() - relayFrom > 300_000) throw new Error(`relay: ${pending} rows still pending after 300 s`)
    await sleep(20)
  }
  const relayPerSecond = backlog / (Math.max(1, relayUntil - relayFrom) / 1000)

  const before = await ctx.sink.count()
  const worker = await ctx.up('worker')
  const firstMail = await ctx.sink.waitFor(before + 1, 60_000)
  const lastMail = await ctx.sink.waitFor(before + backlog, 60_000 + backlog * 20)
  const halfway = await ctx.sink.waitFor(before + Math.ceil(backlog / 2), 1000)
  const drainPerSecond = backlog / (Math.max(1, lastMail - worker.connectedAt) / 1000)
  return {
    relayPerSecond,
    drainPerSecond,
    firstMailMs: firstMail - worker.connectedAt,
    secondHalfPerSecond: Math.floor(backlog / 2) / (Math.max(1, lastMail - halfway) / 1000),
  }
}

/** One mail exactly as the worker renders it for a register job, for the floor to send. */
function sampleMail(ctx: Context) {
  const env = loadWorkerEnv(ctx.env)
  const tokens = createTokens({
    secret: env.JWT_SECRET,
    issuer: env.PUBLIC_BASE_URL,
    ttl: {
      set_password: env.SET_PASSWORD_TTL,
      verify_email: 0,
      reset_password: 0,
      login_email: 600,
      access: 0,
    },
  })
  const mail = createComposer(
    env,
    tokens,
  )({
    id: crypto.randomUUID(),
    type: 'set_password',
    email: 'floor@example.com',
    locale: 'en',
    userId: crypto.randomUUID(),
    credentialVersion: 0,
  })
  return { env, mail: { from: env.MAIL_FROM, subject: mail.subject, text: mail.text, html: mail.html } }
}

/**
 * The worker's steady rate: jobs are published ahead of it (a queue that never
 * runs dry) for the whole window, and mails are counted at the sink. Its floor
 * is a raw nodemailer pool of the worker's size sending the same mail.
 */
export async function measureWorker(ctx: Context) {
  const { seconds } = ctx.options
  const { env, mail } = sampleMail(ctx)
  const floor = await runChild<{ perSecond: number; cpuMsPerMail: number; machineCpuMsPerMail: number }>(
    'floors/nodemailer-pool.ts',
    {
      smtpUrl: ctx.sink.url,
      caFile: ctx.sink.caFile,
      poolSize: env.SMTP_POOL_SIZE,
      maxMessages: env.SMTP_MAX_MESSAGES_PER_CONNECTION,
      seconds,
      mail,
    } satisfies MailFloorConfig,
  )

  const base = await ctx.sink.count()
  let published = 0
  const publish = async (n: number) => {
    await ctx.rabbit.publishJobs(n, `p2-${ctx.run}-${published}`)
    published += n
  }
  await publish(1000)
  // Start the clock once mails flow, so the worker's first fetch is not in the window.
  await ctx.sink.waitFor(base + 50, 30_000)
  const snapshot = async () => ({
    at: wallClock(),
    count: await ctx.sink.count(),
    cpu: ctx.apps.cpuMs('worker'),
    api: ctx.apps.cpuMs('api'),
    machine: machineBusyMs(),
  })
  const from = await snapshot()
  const until = from.at + seconds * 1000
  while (wallClock() < until) {
    const behind = published - ((await ctx.sink.count()) - base)
    if (behind < 1500) await publish(500)
    else await sleep(10)
  }
  const to = await snapshot()
  await ctx.sink.waitFor(base + published, 60_000 + published * 20)
  const mails = to.count - from.count
  return {
    perSecond: mails / ((to.at - from.at) / 1000),
    floorPerSecond: floor.perSecond,
    // CPU per mail does not depend on what else the machine runs, unlike a rate.
    cpuMsPerMail: (to.cpu - from.cpu) / mails,
    floorCpuMsPerMail: floor.cpuMsPerMail,
    // The api records each mail's receipt (and publishes its event) on the same cores.
    apiCpuMsPerMail: (to.api - from.api) / mails,
    // Every process together (api, RabbitMQ, the sink and the bench's publisher too) against the
    // floor's whole machine: on two busy cores this, not the worker's own cost, sets the rate.
    machineCpuMsPerMail: (to.machine - from.machine) / mails,
    floorMachineCpuMsPerMail: floor.machineCpuMsPerMail,
  }
}

/**
 * Register → mail accepted by the SMTP server, at a fixed rate of new
 * registrations with nothing queued: from the request leaving the client to
 * the sink taking the mail's last byte.
 */
export async function measureLatency(ctx: Context, perSecond: number) {
  const prefix = `p3-${perSecond}-${ctx.run}`
  const samples = await runChild<PacedSample[]>('paced.ts', {
    url: `${ctx.baseUrl}/api/v1/auth/register`,
    method: 'POST',
    perSecond,
    seconds: ctx.options.seconds,
    prefix,
  } satisfies PacedConfig)
  const accepted = samples.filter((s) => s.status === 202)
  const deadline = Date.now() + 60_000
  let arrivals = await ctx.sink.times(prefix)
  while (arrivals.size < accepted.length && Date.now() < deadline) {
    await sleep(200)
    arrivals = await ctx.sink.times(prefix)
  }
  const latencies = accepted.flatMap((s) => {
    const at = s.email ? arrivals.get(s.email) : undefined
    return at === undefined ? [] : [at - s.sentAt]
  })
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: samples.length - accepted.length,
    missing: accepted.length - latencies.length,
  }
}
