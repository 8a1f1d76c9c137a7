/**
 * The real api and worker, started the way production starts them (`pnpm api:prod`,
 * `pnpm worker:prod`: compiled JavaScript) or, with `--source`, the way `pnpm api` and
 * `pnpm worker` do (TypeScript through tsx), but in an empty folder so no developer's
 * `.env` leaks in. BENCH_NODE_OPTIONS adds node flags
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) to both.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSX = import.meta.resolve('tsx')

export type AppName = 'api' | 'worker'

/**
 * The node arguments of an app. Compiled (the default): the root `<name>:prod` script
 * (`node apps/api/dist/server.js`), what production runs. `source`: the app's `start`
 * script (`node --import tsx src/server.ts`), what `pnpm api` runs. Paths made absolute.
 */
function nodeArgs(name: AppName, form: AppForm): string[] {
  const extra = (process.env.BENCH_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)
  const dir = form === 'compiled' ? ROOT : join(ROOT, 'apps', name)
  const scripts = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts
  const script: string = form === 'compiled' ? scripts[`${name}:prod`] : scripts.start
  const [command, ...args] = script.trim().split(/\s+/)
  if (command !== 'node') throw new Error(`the ${name} script is not a node command: ${script}`)
  return [
    ...extra,
    ...args.map((arg, i) =>
      arg === 'tsx' && args[i - 1] === '--import' ? TSX : /\.(ts|js|mjs)$/.test(arg) ? join(dir, arg) : arg,
    ),
  ]
}

/** `compiled`: dist/ as production runs it (built by the bench first); `source`: TypeScript through tsx. */
export type AppForm = 'compiled' | 'source'

export interface LogLine {
  time?: number
  msg?: string
  [key: string]: unknown
}

export function createApps(env: Record<string, string>, cwd: string, form: AppForm) {
  const children = new Map<AppName, ChildProcess>()
  /** The last lines of each process, shown when something goes wrong. */
  const tails: Record<AppName, string[]> = { api: [], worker: [] }
  interface Watcher {
    name: AppName
    test: (line: LogLine) => boolean
    resolve(line: LogLine): void
    fail(why: string): void
  }
  const watchers = new Set<Watcher>()

  function onLine(name: AppName, text: string) {
    tails[name].push(text)
    if (tails[name].length > 200) tails[name].shift()
    if (process.env.BENCH_LOGS) process.stderr.write(`[${name}] ${text}\n`)
    if (!watchers.size) return
    let line: LogLine
    try {
      line = JSON.parse(text)
    } catch {
      line = { msg: text }
    }
    for (const watcher of watchers) {
      if (watcher.name === name && watcher.test(line)) {
        watchers.delete(watcher)
        watcher.resolve(line)
      }
    }
  }

  return {
    tail: (name: AppName) => tails[name].join('\n'),

    /** Starts the process; watch its log with {@link waitFor} set up beforehand. */
    start(name: AppName): void {
      const child = spawn(process.execPath, nodeArgs(name, form), {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.set(name, child)
      for (const stream of [child.stdout, child.stderr]) {
        let rest = ''
        stream?.on('data', (chunk: Buffer) => {
          const lines = (rest + chunk.toString()).split('\n')
          rest = lines.pop() ?? ''
          for (const text of lines) onLine(name, text)
        })
      }
      child.once('exit', (code) => {
        for (const watcher of watchers) if (watcher.name === name) watcher.fail(`exited (${code})`)
      })
    },

    /** The next log line of `name` that `test` accepts (pino lines are parsed: `time`, `msg`). */
    waitFor(name: AppName, test: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => watcher.fail(`logged no such line within ${timeoutMs} ms`), timeoutMs)
        const watcher: Watcher = {
          name,
          test,
          resolve(line) {
            clearTimeout(timer)
            resolve(line)
          },
          fail(why) {
            if (!watchers.delete(watcher)) return
            clearTimeout(timer)
            reject(new Error(`${name} ${why}:\n${tails[name].slice(-30).join('\n')}`))
          },
        }
        watchers.add(watcher)
      })
    },

    /** SIGTERM, as an orchestrator stops it; waits for the exit. */
    async stop(name: AppName): Promise<void> {
      const child = children.get(name)
      children.delete(name)
      if (!child || child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      await exited
      clearTimeout(timer)
    },

    /** Resident set size in MB, from /proc/<pid>/status (VmRSS). */
    rssMb(name: AppName): number {
      const pid = children.get(name)?.pid
      if (!pid) throw new Error(`${name} is not running`)
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1])
      return kb / 1024
    },

    /**
     * Resolves once the app has used at most 5 % of a core over 250 ms (or after `timeoutMs`): the
     * work a load left queued (logins still hashing after their clients went) is done.
     */
    async idle(name: AppName, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs
      let before = this.cpuMs(name)
      while (Date.now() < deadline) {
        await sleep(250)
        const now = this.cpuMs(name)
        if (now - before <= 12.5) return
        before = now
      }
    },

    /** CPU time (user + system) the process has used so far, in ms, from /proc/<pid>/stat. */
    cpuMs(name: AppName): number {
      const pid = children.get(name)?.pid
      if (!pid) throw new Error(`${name} is not running`)
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      const ticks = Number(fields[11]) + Number(fields[12])
      return ticks * 10 // USER_HZ is 100 on Linux
    },

    async stopAll(): Promise<void> {
      await Promise.all([...children.keys()].map((name) => this.stop(name)))
    },
  }
}

export type Apps = ReturnType<typeof createApps>

/** A pino line's message. */
export const saying = (text: string) => (line: LogLine) =>
  typeof line.msg === 'string' && line.msg.includes(text)
