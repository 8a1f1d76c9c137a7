import { PublishError } from './types.ts'

/**
 * Wraps one publish on a confirm channel: resolves on the broker's ack, rejects
 * on a nack, a return (unroutable with `mandatory`), a closed channel or no
 * answer within `timeoutMs`. `returned` holds the message ids the broker sent back.
 */
export function confirmPublish(
  send: (done: (error: unknown) => void) => void,
  messageId: string,
  returned: Set<string>,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new PublishError(`no confirm within ${timeoutMs} ms`)), timeoutMs)
    try {
      send((error) => {
        clearTimeout(timer)
        const wasReturned = returned.delete(messageId)
        // amqplib's only sign of a nack (rather than a closed channel) is this message.
        const nacked = error instanceof Error && error.message === 'message nacked'
        if (error) reject(new PublishError(`broker refused the message: ${String(error)}`, { nacked }))
        else if (wasReturned) reject(new PublishError('message was unroutable (returned by the broker)'))
        else resolve()
      })
    } catch (error) {
      // amqplib throws at once on a channel that is already closing.
      clearTimeout(timer)
      reject(new PublishError(`could not publish: ${error instanceof Error ? error.message : String(error)}`))
    }
  })
}
