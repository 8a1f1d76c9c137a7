import { exitOnConfigError } from '@authmail/config'
import { createLogger } from '@authmail/logger'
import { loadWorkerEnv, type WorkerEnv } from './env.ts'
import { createWorker } from './worker.ts'

let env: WorkerEnv
try {
  env = loadWorkerEnv()
} catch (error) {
  exitOnConfigError(error)
}

const logger = createLogger(env.LOG_LEVEL, 'worker')
const worker = createWorker(env, logger)

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
  logger.info('stopped')
  process.exit(0)
}

process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))

await worker.start()
logger.info(
  { queue: worker.broker.names.jobs, prefetch: env.WORKER_PREFETCH, smtp: new URL(env.SMTP_URL).host },
  'worker started',
)
