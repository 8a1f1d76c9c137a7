import { exitOnConfigError } from '@authmail/config'
import { loggerOptions } from '@authmail/logger'
import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import app from './app.ts'
import { type Env, readEnv } from './env.ts'
import { serverOptions } from './http/server-options.ts'

let env: Env
try {
  env = readEnv()
} catch (error) {
  exitOnConfigError(error)
}

const server = Fastify({
  logger: loggerOptions(env.LOG_LEVEL, 'api'),
  ...serverOptions(env),
})
let closing = false
// Fastify's close drops only the keep-alive connections idle at that moment; one whose request
// was still running would stay open until the client's idle timeout, and close() with it.
server.addHook('onSend', async (_request, reply) => {
  if (closing) reply.header('connection', 'close')
})
await server.register(app, { env })

// SIGTERM/SIGINT: stop accepting, let requests finish, flush the relay, close broker and database.
closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
  closing = true
  if (err) server.log.error({ err }, 'shutting down after an error')
  else server.log.info({ signal }, 'shutting down')
  await server.close()
  server.log.info('stopped')
})

await server.listen({ port: env.PORT, host: env.HOST })
