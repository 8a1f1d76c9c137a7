import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'

const css = readFileSync(join(import.meta.dirname, '..', 'assets', 'app.css'))

/** The pages' one stylesheet, served by us so the CSP can forbid everything else. */
const assets: FastifyPluginAsync = async (app) => {
  app.get('/assets/app.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  )
}

export default assets
