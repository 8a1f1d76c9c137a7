/** P1 (register under 50 connections beside its floor) and P6 (login beside raw argon2, /healthz meanwhile). */
import { runChild, startChild } from './child.ts'
import type { Context } from './context.ts'
import type { LoadConfig, LoadResult } from './load.ts'
import type { PacedConfig, PacedSample } from './paced.ts'
import { percentile } from './table.ts'

const load = (config: LoadConfig) => runChild<LoadResult>('load.ts', config)

/** Fastify POST + one INSERT through pg.Pool on the same PostgreSQL, same connections and duration. */
export async function measureInsertFloor(ctx: Context, databaseUrl: string): Promise<LoadResult> {
  const server = startChild('floors/http-insert.ts', { databaseUrl, table: `bench_floor_${ctx.run}` })
  try {
    const { url } = await server.next<{ url: string }>()
    return await load({
      url,
      connections: ctx.options.connections,
      seconds: ctx.options.seconds,
      body: { kind: 'new-address', prefix: `floor-${ctx.run}` },
      expect: [202],
    })
  } finally {
    await server.stop()
  }
}

/** POST /register with a new address and no password, as many at once as there are connections. */
export function measureRegister(ctx: Context): Promise<LoadResult> {
  return load({
    url: `${ctx.baseUrl}/api/v1/auth/register`,
    connections: ctx.options.connections,
    seconds: ctx.options.seconds,
    body: { kind: 'new-address', prefix: `p1-${ctx.run}` },
    expect: [202],
  })
}

const PASSWORD = 'bench-password-1234'

/**
 * POST /login with the right password, one account per connection, while
 * GET /healthz is asked 50 times a second. The accounts are unconfirmed, so
 * login answers 403 with a limited session — after the same argon2
 * verification a confirmed account gets. Its floor: argon2 alone on every core.
 */
export async function measureLogin(ctx: Context) {
  const { connections, seconds } = ctx.options
  const users = Array.from({ length: connections }, (_, i) => `login-${ctx.run}-${i}@example.com`)
  for (let i = 0; i < users.length; i += 5) {
    await Promise.all(
      users.slice(i, i + 5).map(async (email) => {
        const res = await fetch(`${ctx.baseUrl}/api/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: PASSWORD }),
        })
        if (res.status !== 202) throw new Error(`register ${email} answered ${res.status}`)
      }),
    )
  }
  const floor = await runChild<{ perSecond: number; machineCpuMsPerVerify: number }>(
    'floors/argon2-verify.ts',
    { seconds },
  )
  const [login, probes] = await Promise.all([
    load({
      url: `${ctx.baseUrl}/api/v1/auth/login`,
      connections,
      seconds,
      body: { kind: 'login', users, password: PASSWORD },
      expect: [200, 403],
    }),
    runChild<PacedSample[]>('paced.ts', {
      url: `${ctx.baseUrl}/healthz`,
      method: 'GET',
      perSecond: 50,
      seconds,
    } satisfies PacedConfig),
  ])
  const healthy = probes.filter((p) => p.status === 200).map((p) => p.ms)
  return {
    login,
    argon2PerSecond: floor.perSecond,
    argon2MachineCpuMs: floor.machineCpuMsPerVerify,
    healthzP99: percentile(healthy, 99),
    healthzErrors: probes.length - healthy.length,
  }
}
