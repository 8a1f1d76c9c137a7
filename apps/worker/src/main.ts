import { exitOnConfigError } from '@authmail/config'
import { TemplateError } from '@authmail/emails'
import { createLogger } from '@authmail/logger'
import { loadWorkerEnv, type WorkerEnv } from './env.ts'
import { createProbeServer } from './probes.ts'
import { createWorker } from './worker.ts'

let env: WorkerEnv
try {
  env = loadWorkerEnv()
} catch (error) {
  exitOnConfigError(error)
}

const logger = createLogger(env.LOG_LEVEL, 'worker')
let worker: ReturnType<typeof createWorker>
try {
  worker = createWorker(env, logger)
} catch (error) {
  if (!(error instanceof TemplateError)) throw error
  process.stderr.write(`${error.message}\n`)
  process.exit(78) // EX_CONFIG, like a bad variable
}
const probes = createProbeServer(worker, logger)

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'stopping: no new jobs, finishing the ones in flight')
  // A hard bound on top of the drain: an orchestrator's SIGKILL should never be what stops us.
  const deadline = env.WORKER_SHUTDOWN_TIMEOUT_MS + 5_000
  setTimeout(() => {
    logger.error({ deadline }, 'shutdown took too long; exiting')
    process.exit(1)
  }, deadline).unref()
  await worker.stop()
  await probes.close()
  logger.info('stopped')
  process.exit(0)
}

// `on`, not `once`: under pnpm a Ctrl+C arrives twice (from the terminal and forwarded by pnpm),
// and a second signal must not kill the drain; the deadline above bounds it instead.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal))

// Listening first: liveness answers while the broker is still being reached, readiness says 503 until then.
const http = await probes.listen(env.WORKER_HTTP_PORT, env.HOST).catch((error: NodeJS.ErrnoException) => {
  logger.fatal(
    { err: error },
    `cannot serve probes on ${env.HOST}:${env.WORKER_HTTP_PORT} (WORKER_HTTP_PORT)`,
  )
  process.exit(1)
})
await worker.start()
logger.info(
  {
    queue: worker.broker.names.jobs,
    prefetch: env.WORKER_PREFETCH,
    smtp: new URL(env.SMTP_URL).host,
    probes: `http://${http.address.includes(':') ? `[${http.address}]` : http.address}:${http.port}`,
  },
  'worker started',
)
