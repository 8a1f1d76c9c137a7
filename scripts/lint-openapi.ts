/**
 * `pnpm lint:openapi`: builds the api without listening (PGlite in memory),
 * writes the OpenAPI document it serves at /openapi.json to a temporary file,
 * and lints it with redocly's recommended rules (redocly.yaml). Exits with
 * redocly's status, so CI fails on any error.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import app from '../apps/api/src/app.ts'
import { readEnv } from '../apps/api/src/env.ts'
import { serverOptions } from '../apps/api/src/http/server-options.ts'

const env = readEnv({
  ...process.env,
  JWT_SECRET: randomBytes(32).toString('hex'),
  DATABASE_URL: '',
  DATA_DIR: 'memory://',
  LOG_LEVEL: 'silent',
  ADMIN_EMAIL: '',
  ADMIN_PASSWORD: '',
})
const server = Fastify({ ...serverOptions(env), logger: false })
await server.register(app, { env })
await server.ready()
const document = (await server.inject({ method: 'GET', url: '/openapi.json' })).json()
await server.close()

const dir = mkdtempSync(join(tmpdir(), 'authmail-openapi-'))
const file = join(dir, 'openapi.json')
writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`)
const root = join(import.meta.dirname, '..')
const lint = spawnSync('redocly', ['lint', file, '--config', join(root, 'redocly.yaml')], {
  stdio: 'inherit',
  cwd: root,
})
rmSync(dir, { recursive: true, force: true })
process.exit(lint.status ?? 1)
