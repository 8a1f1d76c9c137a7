import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { after } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { type Broker, type BrokerOptions, createBroker } from '../src/index.ts'

const BASE_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'

export const rabbitmqctl = async (...args: string[]) =>
  (await promisify(execFile)('rabbitmqctl', ['-q', ...args])).stdout

interface AfterHook {
  after(fn: () => Promise<void> | void): void
}

let vhostOfFile: Promise<{ vhost: string; url: string }> | undefined
// Registered at load time: an `after` called inside a test would belong to that test.
after(async () => {
  const own = await vhostOfFile?.catch(() => undefined)
  if (own) await rabbitmqctl('delete_vhost', own.vhost)
})

/**
 * A virtual host of this test file's own on the local RabbitMQ, deleted with
 * everything in it after the file's last test: queues keep their production
 * names without meeting anyone else's.
 */
export function ownVhost() {
  vhostOfFile ??= (async () => {
    const vhost = `authmail-broker-test-${randomBytes(4).toString('hex')}`
    await rabbitmqctl('add_vhost', vhost)
    await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*')
    const url = new URL(BASE_URL)
    url.pathname = `/${encodeURIComponent(vhost)}`
    return { vhost, url: url.toString() }
  })()
  return vhostOfFile
}

export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug'
  obj: object
  msg: string
}

/** A logger that keeps its lines, so tests can assert what an operator would read. */
export function recordingLogger() {
  const lines: LogLine[] = []
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg = '') =>
      void lines.push({ level, obj, msg })
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } }
}

/** A broker that closes when the test ends; its log lines are in `lines`. */
export function testBroker(t: AfterHook, options: Partial<BrokerOptions> & { urls: string[] }) {
  const { lines, logger } = recordingLogger()
  const broker: Broker = createBroker({ name: 'broker-test', logger, heartbeatSeconds: 2, ...options })
  t.after(() => broker.close({ drainTimeoutMs: 1000 }))
  return { broker, lines }
}

/** Polls until `check` holds, or throws naming `what`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(50)
  }
}

/** `queue → type` as the broker reports it for `vhost`. */
export async function queueTypes(vhost: string): Promise<Record<string, string>> {
  const out = await rabbitmqctl('list_queues', '-p', vhost, 'name', 'type')
  const rows = out
    .split('\n')
    .map((line) => line.trim().split('\t'))
    .filter((cols): cols is [string, string] => cols.length === 2 && cols[0] !== 'name')
  return Object.fromEntries(rows)
}

/** Closes, from the broker's side, every connection a broker named `name` holds: what an operator or a failing node does. */
export async function closeFromBroker(name: string) {
  const rows = (await rabbitmqctl('list_connections', 'pid', 'client_properties'))
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([, properties]) => properties?.includes(`{"connection_name","${name} `))
  for (const [pid] of rows) await rabbitmqctl('close_connection', pid as string, 'closed by a broker test')
  return rows.length
}
