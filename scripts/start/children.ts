import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { formatLine } from './log-line.ts'

export interface Child {
  name: string
  process: ChildProcess
  /** Resolves with the exit code, or the signal name when it was killed. */
  exited: Promise<number | string>
}

const COLORS = [36, 35, 33, 32] // cyan, magenta, yellow, green
const useColor = process.stdout.isTTY && !('NO_COLOR' in process.env)
let nextColor = 0

function label(name: string): string {
  const text = `[${name}]`.padEnd(10)
  const color = COLORS[nextColor++ % COLORS.length]
  return useColor ? `\x1b[${color}m${text}\x1b[0m` : text
}

/** Prints a line of the start script itself. */
export const say = (() => {
  const prefix = label('start')
  return (message: string) => process.stdout.write(`${prefix} ${message}\n`)
})()

/**
 * Spawns `command` with its output prefixed by `[name]`, one line at a time.
 * The child gets its own process group so a Ctrl+C in the terminal reaches only
 * this script, which then stops the children in order (apps first, then MailDev).
 */
export function run(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  })
  const prefix = label(name)
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${prefix} ${formatLine(line)}\n`)
    })
  }
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
    child.on('error', (error) => {
      process.stdout.write(`${prefix} could not start: ${error.message}\n`)
      resolve(1)
    })
  })
  return { name, process: child, exited } satisfies Child
}

/**
 * Sends `signal`, then SIGKILL if the child is still there after `graceMs`
 * (longer than the worker's own WORKER_SHUTDOWN_TIMEOUT_MS default of 15 s).
 */
export async function stop(child: Child, signal: NodeJS.Signals, graceMs = 20_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return
  child.process.kill(signal)
  const timer = setTimeout(() => {
    say(`${child.name} did not stop within ${graceMs / 1000}s; killing it`)
    child.process.kill('SIGKILL')
  }, graceMs)
  await child.exited
  clearTimeout(timer)
}
