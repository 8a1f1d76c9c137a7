import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { MailReceiptSchema } from '@authmail/contracts'
import { createReceiptSeal } from '@authmail/tokens'
import { mailEventId } from '../src/events/events.ts'
import { receiptsDropped } from '../src/metrics.ts'
import { createUser } from './account-fixtures.ts'
import { build, stores } from './helper.ts'
import { waitUntil, workerBroker } from './verification-helper.ts'

for (const store of stores()) {
  describe(`receipts arriving in a burst (${store})`, () => {
    test('each valid one is recorded once, with one event; a duplicate and a forged one change nothing', async (t) => {
      const api = await build(t, { store })
      const broker = await workerBroker(t, api)
      const user = await createUser(api, 'burst@example.com', { verified: false })
      const seal = createReceiptSeal(api.env.JWT_SECRET)
      const receipts = Array.from({ length: 40 }, () =>
        MailReceiptSchema.parse({
          jobId: randomUUID(),
          type: 'verify_email',
          userId: user.id,
          email: user.email,
          purpose: null,
          tokenId: null,
          tokenExpiresAt: null,
          status: 'failed',
          at: new Date(api.now()).toISOString(),
          error: '450 try again later',
        }),
      )
      const sealed = receipts.map((receipt) => ({ ...receipt, signature: seal.sign(receipt) }))
      const forged = { ...sealed[1], jobId: randomUUID() }
      const badBefore = await droppedBadSignatures()

      await Promise.all(
        [...sealed, sealed.at(0) ?? {}, forged].map((message) =>
          broker.publish(broker.names.receiptsRoutingKey, message, { messageId: randomUUID() }),
        ),
      )
      await waitUntil(async () => ((await droppedBadSignatures()) > badBefore ? true : undefined))
      const jobIds = receipts.map((receipt) => receipt.jobId)
      await waitUntil(async () =>
        (await countWhere('mail_deliveries', 'job_id', jobIds)) === 40 ? true : undefined,
      )

      const { rows } = await api.db.query<{ job_id: string; n: number }>(
        'SELECT job_id, count(*)::int AS n FROM mail_deliveries WHERE user_id = $1 GROUP BY job_id',
        [user.id],
      )
      assert.deepEqual(new Set(rows.map((row) => row.job_id)), new Set(jobIds))
      assert.ok(rows.every((row) => row.n === 1))
      assert.equal(await countWhere('outbox', 'id', receipts.map(mailEventId)), 40)
      assert.equal(await countWhere('mail_deliveries', 'job_id', [forged.jobId]), 0)

      async function countWhere(table: string, column: string, values: string[]): Promise<number> {
        const { rows } = await api.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE ${column}::text = ANY($1::text[])`,
          [values],
        )
        return rows[0]?.n ?? 0
      }
    })
  })
}

async function droppedBadSignatures(): Promise<number> {
  const { values } = await receiptsDropped.get()
  return values.find((value) => value.labels.reason === 'bad_signature')?.value ?? 0
}
