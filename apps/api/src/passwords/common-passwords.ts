import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The common-passwords list as one sorted string and the offsets of its lines,
 * searched by halving. A Set of its 39k strings held ~3 MB of the api's heap
 * for the whole life of the process; this holds the file's 0.36 MB and 0.16 MB
 * of offsets (docs/performance.md, P4 fourth pass).
 */
function load() {
  const lines = readFileSync(join(import.meta.dirname, 'common-passwords.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .sort()
  const text = lines.join('\n')
  const starts = new Uint32Array(lines.length + 1)
  for (let i = 0, at = 0; i < lines.length; i++) {
    starts[i] = at
    at += (lines[i]?.length ?? 0) + 1
  }
  // One past the last line's end, as if a newline followed it.
  starts[lines.length] = text.length + 1
  return { text, starts, count: lines.length }
}

const { text, starts, count } = load()

/** Line `i` of the sorted text compared with `word`, code unit by code unit as `sort()` orders them. */
function compareLine(i: number, word: string): number {
  const start = starts[i] as number
  const length = (starts[i + 1] as number) - 1 - start
  const shorter = Math.min(length, word.length)
  for (let k = 0; k < shorter; k++) {
    const diff = text.charCodeAt(start + k) - word.charCodeAt(k)
    if (diff !== 0) return diff
  }
  return length - word.length
}

/** Whether `word` is one of the list's lines, exactly. */
export function isCommonPassword(word: string): boolean {
  let low = 0
  let high = count - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const order = compareLine(middle, word)
    if (order === 0) return true
    if (order < 0) low = middle + 1
    else high = middle - 1
  }
  return false
}
