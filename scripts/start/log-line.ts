const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
}
const NOISE = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v'])

/**
 * Turns a pino JSON line into `12:00:01 INFO message key=value`, so `pnpm start`
 * is readable without pino-pretty; any other line is returned unchanged.
 */
export function formatLine(line: string): string {
  if (!line.startsWith('{')) return line
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line)
  } catch {
    return line
  }
  if (typeof entry.level !== 'number' || typeof entry.time !== 'number') return line
  const time = new Date(entry.time).toTimeString().slice(0, 8)
  const level = (LEVELS[entry.level] ?? String(entry.level)).padEnd(5)
  const extras = Object.entries(entry)
    .filter(([key]) => !NOISE.has(key))
    .map(([key, value]) => `${key}=${key === 'err' ? errorText(value) : JSON.stringify(value)}`)
  return [time, level, entry.msg ?? '', ...extras].join(' ')
}

/** A serialized error keeps its stack, which is what a developer needs at a glance. */
function errorText(value: unknown): string {
  if (value && typeof value === 'object' && 'stack' in value && typeof value.stack === 'string') {
    return `\n${value.stack}`
  }
  return JSON.stringify(value)
}
