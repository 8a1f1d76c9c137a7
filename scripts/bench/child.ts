/**
 * The bench runs every load generator, floor and the SMTP sink in a process of
 * its own, so none of them shares a thread with the api, the worker or each
 * other. A child gets its config as JSON in BENCH_CONFIG and answers over IPC.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const TSX = import.meta.resolve('tsx')
const here = (script: string) => fileURLToPath(new URL(script, import.meta.url))

export interface Child {
  process: ChildProcess
  /** Sends `message` and resolves with the child's next answer. */
  ask<T>(message: object): Promise<T>
  /** The next message the child sends of its own accord. */
  next<T>(): Promise<T>
  stop(): Promise<void>
}

/** Starts `scripts/bench/<script>` (a path relative to this folder) with `config`. */
export function startChild(script: string, config: object): Child {
  const child = spawn(process.execPath, ['--conditions=@authmail/source', '--import', TSX, here(script)], {
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting: ((message: unknown) => void)[] = []
  const early: unknown[] = []
  const failures = new Set<(error: Error) => void>()
  const answers = new Map<number, (message: unknown) => void>()
  let lastId = 0
  child.on('message', (message: { answerTo?: number; body?: unknown }) => {
    // An answer goes to the question it answers, however late it comes.
    const answer = message.answerTo === undefined ? undefined : answers.get(message.answerTo)
    if (answer) return answer(message.body)
    const resolve = waiting.shift()
    if (resolve) resolve(message)
    else early.push(message)
  })
  child.on('exit', (code, signal) => {
    const error = new Error(`bench child ${script} exited (${signal ?? code}) before answering`)
    for (const fail of failures) fail(error)
    failures.clear()
  })
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      if (early.length) return resolve(early.shift() as T)
      if (child.exitCode !== null || child.signalCode !== null) {
        return reject(new Error(`bench child ${script} is not running`))
      }
      waiting.push(resolve as (message: unknown) => void)
      failures.add(reject)
    })
  return {
    process: child,
    next,
    ask<T>(message: object) {
      const id = ++lastId
      return new Promise<T>((resolve, reject) => {
        failures.add(reject)
        answers.set(id, (body) => {
          answers.delete(id)
          failures.delete(reject)
          resolve(body as T)
        })
        child.send({ ...message, id })
      })
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** Runs a child that does one job and sends one result. */
export async function runChild<T>(script: string, config: object): Promise<T> {
  const child = startChild(script, config)
  try {
    return await child.next<T>()
  } finally {
    await child.stop()
  }
}

/** Inside a child: its config. */
export function childConfig<T>(): T {
  return JSON.parse(process.env.BENCH_CONFIG ?? '{}') as T
}

/** Inside a child: sends a message to the bench. */
export function tell(message: unknown): void {
  process.send?.(message)
}

/** Inside a child: answers the question `request` (see {@link Child.ask}). */
export function answer(request: { id: number }, body: unknown): void {
  process.send?.({ answerTo: request.id, body })
}

/** Wall-clock time in milliseconds with sub-millisecond precision, comparable between processes. */
export const wallClock = () => performance.timeOrigin + performance.now()

/**
 * CPU time the whole machine spent busy so far, in ms summed over its cores (/proc/stat:
 * everything but idle and iowait). Over a window, divided by the work done, it says what
 * each unit cost all processes together: the api, RabbitMQ and the sink included.
 */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
  const [, ...ticks] = line.trim().split(/\s+/).map(Number)
  const total = ticks.reduce((sum, n) => sum + n, 0)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
  return (total - idle) * 10 // USER_HZ is 100 on Linux
}
