import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createReceiptSeal } from '../src/index.ts'

const SECRET = 'a'.repeat(32)
const receipt = {
  jobId: '5f0c4c0e-8d5c-4c36-9f64-3c1c6f1f2b11',
  type: 'verify_email',
  userId: null,
  email: 'a@example.com',
  tokenId: '0b0f5b44-7d7e-4a4f-8a53-2a4e2b0c9d11',
  status: 'sent',
  error: null,
}

test('a receipt seal verifies the same fields in any key order and nothing else', () => {
  const seal = createReceiptSeal(SECRET)
  const signature = seal.sign(receipt)
  assert.match(signature, /^[\w-]{43}$/)
  const reordered = Object.fromEntries(Object.entries(receipt).reverse())
  assert.ok(seal.verify(reordered, signature))
  assert.ok(!seal.verify({ ...receipt, tokenId: '00000000-0000-4000-8000-000000000000' }, signature))
  assert.ok(!seal.verify({ ...receipt, status: 'failed' }, signature))
  assert.ok(!seal.verify(receipt, signature.slice(0, -1)))
  assert.ok(!seal.verify(receipt, ''))
})

test('a receipt seal accepts a previous secret and refuses one made with another secret', () => {
  const old = createReceiptSeal(SECRET)
  const rotated = createReceiptSeal('b'.repeat(32), [SECRET])
  assert.ok(rotated.verify(receipt, old.sign(receipt)))
  assert.ok(!old.verify(receipt, rotated.sign(receipt)))
  assert.ok(!createReceiptSeal('c'.repeat(32)).verify(receipt, old.sign(receipt)))
})
