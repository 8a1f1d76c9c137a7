/** The URL with its password hidden, for log lines. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparseable AMQP_URL)'
  }
}

/** Adds a heartbeat (so a dead peer is noticed in seconds) unless the URL sets one. */
export function withHeartbeat(url: string, seconds: number): string {
  const parsed = new URL(url)
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds))
  return parsed.toString()
}

/**
 * Exponential backoff with "equal jitter", capped: a random delay between half
 * and all of the step, so clients that lost the same node do not retry in lockstep
 * and none retries at once.
 */
export function backoffMs(attempt: number, baseMs = 500, capMs = 15_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16))
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
}
