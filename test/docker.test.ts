import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { Ajv } from 'ajv'
import { validate as lintDockerfile } from 'dockerfile-utils'
import { parse } from 'yaml'

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')
// The compose-spec JSON schema as dclint (a compose linter, a dev dependency of the root) ships it.
// Its `$schema` names draft-07 by an https URL Ajv does not know by that name; Ajv's default is draft-07.
const { $schema: _draft, ...composeSchema } = JSON.parse(
  read('node_modules/dclint/schemas/compose.schema.json'),
)

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document
type Doc = any

const compose: Doc = parse(read('docker-compose.yml'), { merge: true })

function validateCompose(document: unknown) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  const valid = ajv.validate(composeSchema, document)
  return valid ? [] : (ajv.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}

test('docker-compose.yml follows the compose specification', () => {
  assert.deepEqual(validateCompose(compose), [])
  // The same check refuses a broken file, so a pass above means something.
  const broken = structuredClone(compose)
  broken.services.api.ports = 5001
  broken.services.api.healthcheck.intervall = '10s'
  assert.equal(validateCompose(broken).length >= 2, true)
})

test('compose publishes RabbitMQ on 5672 with the credentials .env.example uses', () => {
  const amqp = new URL(read('.env.example').match(/^AMQP_URL=(.*)$/m)?.[1] ?? '')
  const rabbitmq = compose.services.rabbitmq
  assert.ok(rabbitmq.ports.includes(`127.0.0.1:${amqp.port}:5672`), JSON.stringify(rabbitmq.ports))
  assert.equal(rabbitmq.environment.RABBITMQ_DEFAULT_USER, amqp.username)
  assert.equal(rabbitmq.environment.RABBITMQ_DEFAULT_PASS, amqp.password)
  assert.equal(rabbitmq.profiles, undefined, 'started by a plain `docker compose up -d rabbitmq`')
})

test('the worker answers probes in compose, and Prometheus and Grafana come with the observability profile', () => {
  const { worker, prometheus, grafana } = compose.services
  assert.ok(worker.ports.includes('127.0.0.1:5002:5002'))
  assert.match(worker.healthcheck.test.join(' '), /127\.0\.0\.1:5002\/healthz/)
  assert.equal(worker.environment.HOST, '0.0.0.0')
  assert.deepEqual(prometheus.profiles, ['observability'])
  assert.deepEqual(grafana.profiles, ['observability'])

  const config: Doc = parse(read('docker/prometheus/prometheus.yml'))
  const targets = config.scrape_configs.flatMap((job: Doc) =>
    job.static_configs.flatMap((c: Doc) => c.targets),
  )
  assert.deepEqual(targets.sort(), ['api:5001', 'worker:5002'])
})

test('the Dockerfile lints clean and its app images run compiled output on Node LTS with health checks', () => {
  const dockerfile = read('docker/Dockerfile')
  const problems = lintDockerfile(dockerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)
  assert.deepEqual(problems, [])
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-slim$/m)
  for (const [target, entry, port] of [
    ['api', 'dist/server.js', 'PORT'],
    ['worker', 'dist/main.js', 'WORKER_HTTP_PORT'],
  ] as const) {
    const stage = dockerfile.split(/^FROM /m).find((s) => s.startsWith(`runtime AS ${target}\n`)) ?? ''
    // Node flags may come first (the worker's heap limits, as `pnpm worker:prod` runs it).
    assert.match(
      stage,
      new RegExp(`^CMD \\["node", ("--[^"]+", )*"${entry.replace('.', '\\.')}"\\]$`, 'm'),
      target,
    )
    assert.match(stage, new RegExp(`HEALTHCHECK[^]*process\\.env\\.${port}\\}/healthz`), target)
    assert.doesNotMatch(stage, /tsx/, `${target} runs no TypeScript`)
  }
})
