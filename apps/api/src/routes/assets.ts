import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'

const css = readFileSync(join(import.meta.dirname, '..', 'assets', 'app.css'))
const icon = readFileSync(join(import.meta.dirname, '..', 'assets', 'favicon.svg'))

/** The pages' stylesheet and icon, served by us so the CSP can forbid everything else. */
const assets: FastifyPluginAsync = async (app) => {
  app.get('/assets/app.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  )
  // Browsers ask for /favicon.ico on their own; an SVG under that name answers them and the pages' <link>.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(icon),
  )
}

export default assets
