import type { FastifyBaseLogger, FastifyInstance } from 'fastify'

/**
 * Runs `pass` every `intervalMs` once the app is ready, on every instance (the
 * passes take advisory locks, so all but one skip). On close the timer stops and
 * a pass in progress finishes before the database closes.
 */
export function runEvery(
  app: FastifyInstance,
  intervalMs: number,
  pass: () => Promise<unknown>,
  log: FastifyBaseLogger,
  what: string,
): void {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      running = pass().catch((err) => log.error({ err }, `${what} failed`))
    }, intervalMs)
    timer.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await running
  })
}
