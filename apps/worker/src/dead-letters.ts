import type { Broker, BrowsedMessage } from '@authmail/broker'
import { RETRY_COUNT_HEADER } from './outcomes.ts'

export interface DeadLetter {
  id: string
  type: string
  reason: string
  error: string
  when: string
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value))

/** Our own headers say why; a job the broker parked itself (delivery limit) has only the broker's. */
export function describe({ message }: BrowsedMessage): DeadLetter {
  const headers = message.properties.headers ?? {}
  let type = text(headers['x-job-type'])
  if (!type || type === 'unknown') {
    try {
      type = text(JSON.parse(message.content.toString()).type) || 'unknown'
    } catch {
      type = 'unknown'
    }
  }
  return {
    id: text(message.properties.messageId) || '(no id)',
    type,
    reason: text(headers['x-death-reason'] ?? headers['x-first-death-reason']) || 'unknown',
    error: text(headers['x-death-error']),
    when: text(headers['x-died-at']),
  }
}

export async function listDead(broker: Broker): Promise<DeadLetter[]> {
  let found: DeadLetter[] = []
  await broker.browse(broker.names.dead, async (messages) => {
    found = messages.map(describe)
  })
  return found
}

/** Headers of the failed attempts; a replayed job starts over with a full set of retries. */
const DROPPED = /^x-(death|first-death-|last-death-|died-at$|last-error$|job-type$)|^x-retry-count$/

/**
 * Republishes the given dead jobs (all when `ids` is empty) to mail.jobs and
 * acks each dead copy only after the broker confirmed the new one.
 */
export async function replayDead(
  broker: Broker,
  ids: string[],
): Promise<{ replayed: string[]; missing: string[] }> {
  const replayed: string[] = []
  await broker.browse(broker.names.dead, async (messages) => {
    for (const browsed of messages) {
      const { id } = describe(browsed)
      if (ids.length > 0 && !ids.includes(id)) continue
      const { content, properties } = browsed.message
      const headers = Object.fromEntries(
        Object.entries(properties.headers ?? {}).filter(
          ([key]) => !DROPPED.test(key) && key !== RETRY_COUNT_HEADER,
        ),
      )
      await broker.publish(broker.names.jobsRoutingKey, content, {
        messageId: properties.messageId ?? id,
        headers: { ...headers, 'x-replayed-at': new Date().toISOString() },
      })
      browsed.ack()
      replayed.push(id)
    }
  })
  return { replayed, missing: ids.filter((id) => !replayed.includes(id)) }
}
