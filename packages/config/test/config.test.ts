import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, list, loadEnv, seconds, secret, z } from '../src/index.ts'

const Schema = z.object({
  PORT: z.coerce.number().int().default(5001),
  JWT_SECRET: secret(),
  TTL: seconds(60),
  HOSTS: list(),
})

test('one error names every bad variable', () => {
  try {
    loadEnv(Schema, { PORT: 'eighty', JWT_SECRET: 'short', TTL: '-1' })
    assert.fail('expected a ConfigError')
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    assert.deepEqual(
      error.problems.map((p) => p.split(':')[0]),
      ['PORT', 'JWT_SECRET', 'TTL'],
    )
    assert.match(error.message, /JWT_SECRET: .*at least 32 bytes/)
  }
})

test('defaults apply, an empty value counts as unset, lists split on commas', () => {
  const env = loadEnv(Schema, { JWT_SECRET: 's'.repeat(32), TTL: '', HOSTS: ' a , b,,' })
  assert.deepEqual(env, { PORT: 5001, JWT_SECRET: 's'.repeat(32), TTL: 60, HOSTS: ['a', 'b'] })
})
