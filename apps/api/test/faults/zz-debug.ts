import { writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { startSmtpServer, startStack } from '@authmail/testing'
import { ownDatabase } from './helper.ts'
const db = process.argv[3] === 'pg' ? await ownDatabase() : undefined
const smtp = await startSmtpServer()
const stack = await startStack({ smtp, databaseUrl: db?.url })
await stack.up('api')
const mode = process.argv[2]
const answers = Array.from({ length: 20 }, (_, i) => stack.post('/register', { email: `x${i}-${Date.now()}@example.com` }).then(r => r.status, () => 0))
if (mode === 'wait') await Promise.all(answers)
else await sleep(30)
const t0 = Date.now()
const code = await stack.stop('api', 'SIGTERM')
console.log('exit', code, Date.now() - t0, await Promise.all(answers))
writeFileSync('/tmp/dbg/api.log', stack.logs.api)
await stack.close(); await smtp.close(); await db?.drop()
