import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer } from 'node:net'

/** Resolves true when `port` on `host` can be bound right now. */
function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/**
 * The pid listening on `port`, read from /proc (Linux): the socket's inode in
 * /proc/net/tcp{,6}, then the process holding a descriptor to it. Undefined
 * elsewhere, or when the owner belongs to another user.
 */
export function pidListeningOn(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const row of text.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/)
      // local_address is ADDR:PORT in hex; state 0A is LISTEN.
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A' && cols[9]) inodes.add(`socket:[${cols[9]}]`)
    }
  }
  if (!inodes.size) return undefined
  let pids: string[] = []
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return undefined
  }
  for (const pid of pids) {
    let fds: string[] = []
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid)
      } catch {}
    }
  }
  return undefined
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
  } catch {
    return ''
  }
}

/**
 * One line per port of `wanted` that is already taken, naming the process
 * that holds it when the system says: a second `pnpm start` would otherwise
 * half-start and fail on whichever port it reached first.
 */
export async function takenPorts(wanted: Record<string, number>, host = '127.0.0.1'): Promise<string[]> {
  const problems: string[] = []
  for (const [what, port] of Object.entries(wanted)) {
    if (await isFree(port, host)) continue
    const pid = pidListeningOn(port)
    const command = pid ? commandOf(pid) : ''
    const holder = pid ? `pid ${pid}${command ? ` (${command.slice(0, 120)})` : ''}` : 'another process'
    problems.push(`port ${port} (${what}) is held by ${holder}`)
  }
  return problems
}
