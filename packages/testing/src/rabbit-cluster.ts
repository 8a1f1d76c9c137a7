import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './ports.ts'

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server'
const CTL_DIR = '/usr/lib/rabbitmq/bin'
/** The rabbitmq user's home: its `.erlang.cookie` is the cookie every node and CLI call shares. */
const RABBITMQ_HOME = '/var/lib/rabbitmq'

/**
 * Why a cluster cannot be started here, or null when it can: the nodes run as
 * the `rabbitmq` user, which only root can switch to.
 */
export function clusterUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'starting RabbitMQ nodes as the rabbitmq user needs root'
  if (!existsSync(SERVER)) return `no ${SERVER} (Debian package rabbitmq-server)`
  if (!existsSync(join(RABBITMQ_HOME, '.erlang.cookie'))) return `no Erlang cookie in ${RABBITMQ_HOME}`
  return null
}

/**
 * Node names and data folder derive from this checkout's path: a run that
 * crashed left nodes a later run of the same checkout can find and kill by
 * name, while other checkouts' clusters are never touched.
 */
const CHECKOUT = createHash('sha256')
  .update(import.meta.url)
  .digest('hex')
  .slice(0, 6)
const BASE = `/tmp/authmail-rabbit-cluster-${CHECKOUT}`
const nodeName = (i: number) => `authmail-${CHECKOUT}-n${i + 1}@localhost`

const run = promisify(execFile)

/** A CLI tool (rabbitmqctl, rabbitmq-upgrade…) as the rabbitmq user, against one of our nodes. */
async function cli(tool: string, node: string, args: string[], timeoutMs = 120_000) {
  const { stdout } = await run(
    'runuser',
    ['-u', 'rabbitmq', '--', 'env', `HOME=${RABBITMQ_HOME}`, join(CTL_DIR, tool), '-q', '-n', node, ...args],
    { timeout: timeoutMs, cwd: '/tmp' },
  )
  return stdout.trim()
}

/** OS pids of processes started for `node` (its name is in their environment, not their command line): a node's beam, alive or left over. */
function pidsOf(node: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!pid || pid === process.pid) continue
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`RABBITMQ_NODENAME=${node}`))
        pids.push(pid)
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

function killByName(node: string) {
  for (const pid of pidsOf(node)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

/** Kills `nodes` and waits (bounded) until their processes are gone, so their folders can go too. */
async function killAndWait(nodes: string[]) {
  for (const node of nodes) killByName(node)
  const deadline = Date.now() + 10_000
  while (nodes.some((node) => pidsOf(node).length > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export interface ClusterNode {
  name: string
  port: number
  /** amqp://guest:guest@127.0.0.1:<port> */
  url: string
}

/**
 * A RabbitMQ cluster of `size` nodes of its own on this machine (never the
 * RabbitMQ on 5672): each node runs as the rabbitmq user with its own name,
 * config (AMQP port on 127.0.0.1, no plugins), data and log folders and
 * distribution port, shares that user's Erlang cookie, and joins the first
 * node. About 30 s for three nodes. `stop()` kills every node and deletes
 * their folders; call it in `t.after` (a process that dies skips it, and the
 * next start kills the leftovers by name).
 */
export async function startRabbitCluster({ size = 3 } = {}) {
  const problem = clusterUnavailable()
  if (problem) throw new Error(`cannot start a RabbitMQ cluster: ${problem}`)
  const names = Array.from({ length: size }, (_, i) => nodeName(i))
  await killAndWait(names)
  rmSync(BASE, { recursive: true, force: true })

  const nodes: (ClusterNode & { env: Record<string, string> })[] = []
  for (const [i, name] of names.entries()) {
    const port = await freePort()
    const dir = join(BASE, `n${i + 1}`)
    mkdirSync(join(dir, 'mnesia'), { recursive: true })
    mkdirSync(join(dir, 'log'), { recursive: true })
    // Debian's /etc/rabbitmq/rabbitmq.conf pins 5672; each node gets a file of its own.
    writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`)
    writeFileSync(join(dir, 'rabbitmq-env.conf'), 'ERL_EPMD_ADDRESS=127.0.0.1\n')
    writeFileSync(join(dir, 'enabled_plugins'), '[].\n')
    const env = {
      HOME: RABBITMQ_HOME,
      RABBITMQ_NODENAME: name,
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_DIST_PORT: String(await freePort()),
      ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    }
    nodes.push({ name, port, url: `amqp://guest:guest@127.0.0.1:${port}`, env })
  }
  execFileSync('chown', ['-R', 'rabbitmq:rabbitmq', BASE])

  const pids = new Map<number, number>()
  // A test process that exits without its after hooks still takes its nodes along.
  const killAll = () => {
    for (const name of names) killByName(name)
  }
  process.once('exit', killAll)

  const node = (i: number) => {
    const found = nodes[i]
    if (!found) throw new Error(`no node ${i} in a cluster of ${size}`)
    return found
  }

  /** Boots node `i` (detached) and waits until RabbitMQ runs on it; its data survives from a previous run. */
  async function boot(i: number) {
    const { env, name } = node(i)
    const vars = Object.entries(env).map(([key, value]) => `${key}=${value}`)
    await run('runuser', ['-u', 'rabbitmq', '--', 'env', ...vars, SERVER, '-detached'], { cwd: '/tmp' })
    // -detached returns before the node registers with epmd; await_startup needs it registered.
    const deadline = Date.now() + 60_000
    for (;;) {
      try {
        await cli('rabbitmqctl', name, ['await_startup', '--timeout', '60'])
        break
      } catch (error) {
        if (Date.now() > deadline) throw error
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
    pids.set(i, Number((await cli('rabbitmqctl', name, ['eval', 'os:getpid().'])).replaceAll('"', '')))
  }

  try {
    await Promise.all(nodes.map((_, i) => boot(i)))
    for (let i = 1; i < size; i++) {
      const { name } = node(i)
      await cli('rabbitmqctl', name, ['stop_app'])
      await cli('rabbitmqctl', name, ['join_cluster', node(0).name])
      await cli('rabbitmqctl', name, ['start_app'])
    }
  } catch (error) {
    await killAndWait(names)
    rmSync(BASE, { recursive: true, force: true })
    throw error
  }

  return {
    nodes: nodes.map(({ name, port, url }) => ({ name, port, url })) as ClusterNode[],
    /** Every node, comma-separated: the AMQP_URL of a client of this cluster. */
    amqpUrl: nodes.map((n) => n.url).join(','),
    /** A CLI command against node `i`, e.g. `ctl(1, 'list_consumers', …)`. */
    ctl: (i: number, ...args: string[]) => cli('rabbitmqctl', node(i).name, args),
    /** The node's OS process dies at once, as on a power loss or the OOM killer. */
    kill(i: number) {
      const pid = pids.get(i)
      if (pid) process.kill(pid, 'SIGKILL')
      pids.delete(i)
      killByName(node(i).name)
    },
    /** A graceful stop, as in a rolling restart. */
    async stopNode(i: number) {
      await cli('rabbitmqctl', node(i).name, ['stop'])
      pids.delete(i)
    },
    /** Starts a killed or stopped node again; it rejoins the cluster from its data. */
    start: (i: number) => boot(i),
    /**
     * Waits until stopping node `i` would leave every quorum queue with a
     * majority: what an operator checks before taking the next node down.
     */
    awaitSafeToStop: (i: number, timeoutSeconds = 60) =>
      cli('rabbitmq-upgrade', node(i).name, ['await_online_quorum_plus_one', '-t', String(timeoutSeconds)]),
    /** Kills every node and deletes their folders. */
    async stop() {
      await killAndWait(names)
      process.removeListener('exit', killAll)
      rmSync(BASE, { recursive: true, force: true })
    },
  }
}

export type RabbitCluster = Awaited<ReturnType<typeof startRabbitCluster>>
