/**
 * Loaded into every test file's process by scripts/test.ts. When a file's
 * tests are done but something (a socket, a timer) still keeps the process
 * alive, it waits a moment, then names what is left open and exits with the
 * tests' own result: a leak is reported loudly instead of holding the whole
 * run until the file timeout, and it never turns a failed test green.
 */
import { after } from 'node:test'

const GRACE_MS = 15_000

interface Handle {
  constructor?: { name?: string }
  remoteAddress?: string
  remotePort?: number
  _idleTimeout?: number
}

function describeHandle(handle: Handle): string {
  const name = handle.constructor?.name ?? 'unknown'
  if (handle.remotePort) return `${name} to ${handle.remoteAddress}:${handle.remotePort}`
  if (handle._idleTimeout) return `${name} of ${handle._idleTimeout} ms`
  return name
}

// Only in the processes that run test files, not in the runner that spawns them.
if (process.env.NODE_TEST_CONTEXT) {
  after(() => {
    setTimeout(() => {
      const handles = (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles()
      process.stderr.write(
        `\n[test-exit-guard] ${process.argv[1]} finished its tests ${GRACE_MS / 1000} s ago but did not exit; ` +
          `open handles: ${handles.map(describeHandle).join(', ') || 'none'}\n`,
      )
      process.exit()
    }, GRACE_MS).unref()
  })
}
