import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const WORKER_DIR = fileURLToPath(new URL('..', import.meta.url))

/** Starts one of the worker's entry points the way `pnpm` does: a real process with a real environment. */
export function spawnScript(script: string, args: string[], env: Record<string, string | undefined>) {
  const child = spawn(
    process.execPath,
    ['--conditions=@authmail/source', '--import', 'tsx', script, ...args],
    {
      cwd: WORKER_DIR,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const output = { stdout: '', stderr: '' }
  child.stdout?.on('data', (chunk) => {
    output.stdout += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output.stderr += chunk
  })
  return { child, output }
}

/** Resolves with the exit code; kills the process if it outlives `timeoutMs`. */
export async function exitOf(child: ChildProcess, timeoutMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const [code] = await once(child, 'exit')
  clearTimeout(timer)
  return code as number | null
}

export async function runScript(script: string, args: string[], env: Record<string, string | undefined>) {
  const { child, output } = spawnScript(script, args, env)
  const code = await exitOf(child)
  return { code, ...output }
}
