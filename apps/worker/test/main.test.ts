import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { deleteTestTopology, openTestRabbit, startSmtpServer } from '@authmail/testing'
import { job, testEnv } from './helper.ts'
import { exitOf, runScript, spawnScript } from './processes.ts'

test('a bad configuration stops the start with one message naming every bad variable', async () => {
  const result = await runScript('src/main.ts', [], {
    SMTP_URL: 'smtp+plain://mail.example.com',
    JWT_SECRET: 'short',
    RETRY_DELAYS_MS: 'soon',
  })
  assert.equal(result.code, 78)
  assert.match(result.stderr, /SMTP_URL/)
  assert.match(result.stderr, /JWT_SECRET: must be at least 32 bytes/)
  assert.match(result.stderr, /RETRY_DELAYS_MS/)
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
})

test('the worker process delivers a job and exits cleanly on SIGTERM', { timeout: 30_000 }, async (t) => {
  const smtp = await startSmtpServer()
  const env = testEnv({ SMTP_URL: smtp.url, SMTP_CA_FILE: smtp.caFile, LOG_LEVEL: 'info' })
  const delays = env.RETRY_DELAYS_MS.split(',').map(Number)
  const rabbit = await openTestRabbit(env.QUEUE_PREFIX, delays)
  t.after(async () => {
    await rabbit.close()
    await deleteTestTopology(env.QUEUE_PREFIX, delays)
    await smtp.close()
  })

  const { child, output } = spawnScript('src/main.ts', [], env)
  t.after(() => child.kill('SIGKILL'))
  while (!output.stdout.includes('worker started')) await once(child.stdout as NodeJS.ReadableStream, 'data')
  const sent = job('account_exists', { locale: 'ru' })
  await rabbit.publishJob(sent)
  const mail = await smtp.waitForMail((m) => m.to.includes(sent.email), 10_000)
  assert.equal(mail.parsed.subject, 'У вас уже есть аккаунт в authmail')

  const started = Date.now()
  child.kill('SIGTERM')
  assert.equal(await exitOf(child, 10_000), 0, output.stderr)
  assert.ok(Date.now() - started < 5000, `shutdown took ${Date.now() - started} ms`)
  assert.match(output.stdout, /"msg":"stopped"/)
})
