/**
 * Gathers the calls that arrive together (in the same turn of the event loop, up to `max`)
 * and hands them to `run` as one batch. Each call resolves or rejects with its batch's outcome,
 * so a consumer handler that awaits it acks, or leaves for redelivery, exactly what it did alone.
 */
export function batched<T>(run: (items: T[]) => Promise<void>, max: number): (item: T) => Promise<void> {
  let open: { items: T[]; done: Promise<void> } | null = null
  return (item) => {
    if (!open) {
      const items: T[] = []
      const batch = {
        items,
        done: new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
          if (open === batch) open = null
          return run(items)
        }),
      }
      open = batch
    }
    const batch = open
    batch.items.push(item)
    if (batch.items.length >= max) open = null
    return batch.done
  }
}
