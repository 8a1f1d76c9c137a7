import { createRequire } from 'node:module'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Redis } from 'ioredis'
import type { Env } from '../env.ts'
import { AppError } from '../errors.ts'

type Done = (error: Error | null, result?: { current: number; ttl: number }) => void
interface CounterStore {
  incr(key: string, done: Done, timeWindow: number, max: number): void
  read?(key: string, done: Done, timeWindow: number, max: number): void
}

// The plugin's own stores (memory, Redis) are not exported with types; their interface is the one above.
const require = createRequire(import.meta.url)
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache: number,
) => CounterStore
type RedisStoreClass = new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
  nameSpace: string,
) => CounterStore

/**
 * One counter store for every route. The plugin would give each route (and so
 * each of the two prefixes) a store of its own; keys carry the limit's name
 * instead, so `/login` and `/api/v1/auth/login` count once per client.
 */
function sharedStore(inner: CounterStore) {
  return class SharedStore {
    incr(key: string, done: Done, timeWindow: number, max: number) {
      inner.incr(key, done, timeWindow, max)
    }
    read(key: string, done: Done, timeWindow: number, max: number) {
      if (inner.read) inner.read(key, done, timeWindow, max)
      else done(null, { current: 0, ttl: 0 })
    }
    child() {
      return this
    }
  }
}

/**
 * Per-IP limits, off by default: only the routes that send mail or check
 * passwords opt in. With REDIS_URL every api instance shares the counts;
 * without it each instance counts alone. A Redis outage lets requests through
 * (`skipOnError`) rather than refusing every login: the per-address limits in
 * the database still hold.
 */
export async function registerRateLimit(app: FastifyInstance, env: Env) {
  let inner: CounterStore = new LocalStore(false, false, 10_000)
  if (env.REDIS_URL) {
    // Loaded only when configured: ioredis alone is ~8 MB of the api's RSS (docs/performance.md, P4 fourth pass).
    const { Redis } = await import('ioredis')
    const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as RedisStoreClass
    const redis = new Redis(env.REDIS_URL, {
      connectTimeout: 2_000,
      // Fail fast while Redis is away instead of queueing commands behind a login.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    })
    const log = app.log.child({ component: 'rate-limit' })
    let down = false
    redis.on('error', (err) => {
      if (!down)
        log.warn({ err: err.message }, 'Redis unreachable: per-IP limits are not applied until it is back')
      down = true
    })
    redis.on('ready', () => {
      if (down) log.info('Redis is back: per-IP limits apply again')
      down = false
    })
    await redis.connect().catch(() => {})
    app.addHook('onClose', async () => {
      redis.disconnect()
    })
    inner = new RedisStore(false, false, redis, 'authmail-ip-')
  }
  await app.register(rateLimit, {
    global: false,
    store: sharedStore(inner),
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', { details: { retry_after_seconds: Math.ceil(context.ttl / 1000) } }),
  })
}

/**
 * The per-IP limit of a route that sends mail or checks passwords, counted
 * per limit *name* and client (`request.ip`, which follows TRUST_PROXY), not
 * per URL (per-address limits live in the database).
 */
export const ipRateLimit = (env: Env, name: string) => ({
  max: env.IP_RATE_LIMIT_PER_MINUTE,
  timeWindow: 60_000,
  keyGenerator: (request: FastifyRequest) => `${name}:${request.ip}`,
})
